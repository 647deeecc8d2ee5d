package io.botvisor.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuMeterTest {
    private static TopSnapshot.Bot bot(String id, Long pid, Double cpuSeconds) {
        return new TopSnapshot.Bot(id, "RUNNING", pid, null, null, null, null, 0, cpuSeconds, null, null, null);
    }

    private static TopSnapshot at(String time, TopSnapshot.Bot... bots) {
        return new TopSnapshot(1L, time == null ? null : Instant.parse(time), null, List.of(bots));
    }

    @Test
    void percentIsTheSupervisorsCpuSecondsOverTheTimeBetweenSnapshots() {
        CpuMeter m = new CpuMeter(pid -> null);
        assertThat(m.update(at("2026-11-30T21:00:00Z", bot("a", 5L, 10.0)), 0)).as("one snapshot").isEmpty();
        assertThat(m.update(at("2026-11-30T21:00:05Z", bot("a", 6L, 11.0)), 0))
                .as("1 s of CPU in 5 s, across a restart: the total counts every process")
                .containsExactly(Map.entry("a", 20.0));
    }

    @Test
    void theSameSnapshotAgainKeepsTheLastFigures() {
        CpuMeter m = new CpuMeter(pid -> null);
        m.update(at("2026-11-30T21:00:00Z", bot("a", 5L, 10.0)), 0);
        m.update(at("2026-11-30T21:00:05Z", bot("a", 5L, 11.0)), 0);
        assertThat(m.update(at("2026-11-30T21:00:05Z", bot("a", 5L, 11.0)), 0))
                .as("the metric file not rewritten since the last refresh").containsExactly(Map.entry("a", 20.0));
    }

    @Test
    void withoutCpuSecondsTheProcessIsReadAndANewPidIsUnknownUntilTheNextRefresh() {
        Map<Long, Double> proc = new HashMap<>(Map.of(5L, 1.0));
        CpuMeter m = new CpuMeter(proc::get);
        m.update(at(null, bot("a", 5L, null)), 1_000);
        proc.put(5L, 1.5);
        assertThat(m.update(at(null, bot("a", 5L, null)), 2_000)).containsExactly(Map.entry("a", 50.0));
        proc.put(6L, 0.2);
        assertThat(m.update(at(null, bot("a", 6L, null)), 3_000)).as("restarted: another process").isEmpty();
    }

    @Test
    void procStatOfThisJvmIsReadable() {
        Double seconds = CpuMeter.procStatSeconds(ProcessHandle.current().pid());
        assertThat(seconds).isNotNull().isPositive();
        assertThat(CpuMeter.procStatSeconds(Long.MAX_VALUE)).as("no such process").isNull();
    }
}

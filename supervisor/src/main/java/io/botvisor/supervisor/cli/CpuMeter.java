package io.botvisor.supervisor.cli;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * CPU % of each bot between two snapshots: the change of its CPU seconds over the time between them. The seconds are
 * the supervisor's {@code cpuSeconds} (a total over the bot's processes that never goes down); from a supervisor that
 * does not report them, top reads the bot's current process's {@code /proc/PID/stat} itself, which says nothing across
 * a restart (another pid: unknown until the next refresh). A snapshot that is the same as the last one (the metric
 * file not rewritten since) keeps the last figures. Owned by top's one thread.
 */
final class CpuMeter {
    /** Linux reports utime and stime in USER_HZ, which is 100 on every architecture the JDK runs on. */
    private static final double USER_HZ = 100.0;

    private record Sample(double seconds, long pid, double at) {
    }

    private final LongFunction<Double> procSeconds;
    private final Map<String, Sample> last = new HashMap<>();
    private Map<String, Double> percent = Map.of();
    private Long lastTimeMillis;

    /** {@code procSeconds}: a process's user + system CPU seconds, or null if it cannot be read (gone). */
    CpuMeter(LongFunction<Double> procSeconds) {
        this.procSeconds = procSeconds;
    }

    static CpuMeter fromProc() {
        return new CpuMeter(CpuMeter::procStatSeconds);
    }

    /**
     * CPU % per bot id since the previous snapshot (absent: not known yet). {@code nowMillis} stands in for the
     * snapshot's time when it has none.
     */
    Map<String, Double> update(TopSnapshot s, long nowMillis) {
        Long time = s.time() == null ? null : s.time().toEpochMilli();
        if (time != null && time.equals(lastTimeMillis)) {
            return percent;
        }
        lastTimeMillis = time;
        Map<String, Double> next = new HashMap<>();
        Map<String, Sample> seen = new HashMap<>();
        for (TopSnapshot.Bot b : s.bots()) {
            Sample now = sample(b, time, nowMillis);
            if (now == null) {
                continue;
            }
            seen.put(b.id(), now);
            Sample before = last.get(b.id());
            if (before != null && before.pid == now.pid && now.at > before.at) {
                next.put(b.id(), Math.max(0, now.seconds - before.seconds) / (now.at - before.at) * 100);
            }
        }
        last.clear();
        last.putAll(seen);
        percent = Map.copyOf(next);
        return percent;
    }

    /**
     * pid 0 marks the supervisor's total, which is comparable across a bot's processes. The supervisor's figure is as
     * of its snapshot's time; /proc's is as of now.
     */
    private Sample sample(TopSnapshot.Bot b, Long snapshotMillis, long nowMillis) {
        if (b.cpuSeconds() != null) {
            return new Sample(b.cpuSeconds(), 0, (snapshotMillis == null ? nowMillis : snapshotMillis) / 1000.0);
        }
        if (b.pid() == null) {
            return null;
        }
        Double seconds = procSeconds.apply(b.pid());
        return seconds == null ? null : new Sample(seconds, b.pid(), nowMillis / 1000.0);
    }

    /** utime + stime of /proc/PID/stat (fields 14 and 15, counted after the last ')': comm may hold spaces). */
    static Double procStatSeconds(long pid) {
        String stat;
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
            stat = new String(in.readNBytes(1024), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null; // gone, or hidden from us (hidepid): unknown, not an error
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state): utime is field 14, stime 15.
        if (f.length < 13) {
            return null;
        }
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / USER_HZ;
    }
}

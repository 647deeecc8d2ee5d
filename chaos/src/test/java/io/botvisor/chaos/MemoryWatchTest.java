package io.botvisor.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

class MemoryWatchTest {
    private static final long MB = 1 << 20;

    private static List<MemoryWatch.Sample> series(int n, IntToLongFunction supervisor, IntToLongFunction bots) {
        List<MemoryWatch.Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new MemoryWatch.Sample(i * 5000L, supervisor.applyAsLong(i), bots.applyAsLong(i)));
        }
        return out;
    }

    @Test
    void flatMemoryAfterTheWarmUpPasses() {
        MemoryWatch.Judgement j = MemoryWatch.judge(series(60, i -> (i < 10 ? 100 + i * 5 : 150) * MB,
                i -> 50 * MB), Duration.ofMinutes(5));
        assertThat(j.judged()).isTrue();
        assertThat(j.passed()).as(j.detail()).isTrue();
    }

    @Test
    void aSupervisorWhoseMemoryKeepsGrowingFails() {
        MemoryWatch.Judgement j = MemoryWatch.judge(series(60, i -> (150 + i * 4L) * MB, i -> 50 * MB),
                Duration.ofMinutes(5));
        assertThat(j.passed()).isFalse();
        assertThat(j.detail()).contains("supervisor RSS", "(grew)");
    }

    @Test
    void botsWhoseMemoryKeepsGrowingFail() {
        MemoryWatch.Judgement j = MemoryWatch.judge(series(60, i -> 150 * MB, i -> (40 + 2L * i) * MB),
                Duration.ofMinutes(5));
        assertThat(j.passed()).isFalse();
        assertThat(j.detail()).contains("bot PSS (mean)", "(grew)");
    }

    @Test
    void aRunTooShortToTellIsNotJudged() {
        MemoryWatch.Judgement j = MemoryWatch.judge(series(60, i -> (150 + i * 4L) * MB, i -> 50 * MB),
                Duration.ofSeconds(90));
        assertThat(j.judged()).isFalse();
        assertThat(j.passed()).isTrue();
        assertThat(j.detail()).startsWith("not judged: 60 samples over 90 s");
    }
}

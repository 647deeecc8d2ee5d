package io.botvisor.runner.telegram.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FloodGateTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final FloodGate gate = new FloodGate(now::get);

    @Test
    void openUntilClosed() {
        assertThat(gate.remaining()).isZero();
    }

    @Test
    void obeyClosesForRetryAfterPlusJitterUnderASecond() {
        assertThat(gate.obey(17, 0.25)).isEqualTo(Duration.ofMillis(17_250));
        now.addAndGet(Duration.ofSeconds(17).toNanos());
        assertThat(gate.remaining()).isEqualTo(Duration.ofMillis(250));
        now.addAndGet(Duration.ofMillis(250).toNanos());
        assertThat(gate.remaining()).isZero();
    }

    @Test
    void aShorterLaterWaitDoesNotShortenALongerOne() {
        gate.close(Duration.ofSeconds(30));
        gate.close(Duration.ofSeconds(5));
        assertThat(gate.remaining()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aLongerLaterWaitExtends() {
        gate.close(Duration.ofSeconds(5));
        gate.close(Duration.ofSeconds(30));
        assertThat(gate.remaining()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void awaitOpenReturnsAtOnceWhenOpen() throws InterruptedException {
        gate.close(Duration.ofSeconds(1));
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        gate.awaitOpen(); // would block 1 s on the real clock if the fake clock were ignored
        assertThat(gate.waitNanos()).isZero();
    }
}

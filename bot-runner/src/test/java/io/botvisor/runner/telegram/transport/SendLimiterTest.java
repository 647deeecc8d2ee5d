package io.botvisor.runner.telegram.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SendLimiterTest {
    private static final long MS = 1_000_000;
    private final SendLimiter limiter = new SendLimiter(Duration.ofSeconds(1), 20, 30);

    @Test
    void firstSendToAChatIsAllowedAtOnce() {
        assertThat(limiter.delayNanos(7, 5_000 * MS)).isZero();
    }

    @Test
    void secondSendToTheSameChatWaitsTheRestOfTheSecond() {
        limiter.record(7, 1_000 * MS);
        assertThat(limiter.delayNanos(7, 1_300 * MS)).isEqualTo(700 * MS);
        assertThat(limiter.delayNanos(7, 2_000 * MS)).isZero();
    }

    @Test
    void anotherChatIsNotDelayedByTheFirst() {
        limiter.record(7, 1_000 * MS);
        assertThat(limiter.delayNanos(8, 1_000 * MS)).isZero();
    }

    @Test
    void twentyFirstSendToAGroupWithinAMinuteWaitsForTheOldestToAgeOut() {
        for (int i = 0; i < 20; i++) {
            limiter.record(-100, i * 2_000 * MS);
        }
        long now = 40_000 * MS;
        assertThat(limiter.delayNanos(-100, now)).isEqualTo(20_000 * MS); // the send at 0 leaves the window at 60 s
        assertThat(limiter.delayNanos(-100, 60_000 * MS + 1)).isZero();
    }

    @Test
    void privateChatsHaveNoPerMinuteLimit() {
        for (int i = 0; i < 25; i++) {
            limiter.record(100, i * 1_000 * MS);
        }
        assertThat(limiter.delayNanos(100, 25_000 * MS)).isZero();
    }

    @Test
    void thirtyFirstSendWithinASecondWaitsWhateverTheChat() {
        for (int i = 0; i < 30; i++) {
            limiter.record(1_000 + i, 10 * i * MS);
        }
        assertThat(limiter.delayNanos(5, 500 * MS)).isEqualTo(500 * MS);
        assertThat(limiter.delayNanos(5, 1_000 * MS + 1)).isZero();
    }

    @Test
    void gcForgetsChatsThatCanNoLongerDelayAnything() {
        limiter.record(7, 0);
        limiter.record(-8, 0);
        limiter.gc(30_000 * MS);
        assertThat(limiter.trackedChats()).isEqualTo(1); // the group's minute is not over
        limiter.gc(61_000 * MS);
        assertThat(limiter.trackedChats()).isZero();
    }

    @Test
    void aCallInFlightCountsAgainstTheOverallLimitUntilItEndsAndThenFromItsEnd() {
        SendLimiter two = new SendLimiter(java.time.Duration.ofSeconds(1), 20, 2);
        two.begin(1, 0);
        two.begin(2, 0);
        assertThat(two.delayNanos(3, 100 * MS)).as("two in flight fill the second").isEqualTo(900 * MS);
        two.end(1, 0, 400 * MS);
        two.end(2, 0, 500 * MS);
        assertThat(two.delayNanos(3, 1_000 * MS)).as("they count from their ends").isEqualTo(400 * MS);
        assertThat(two.delayNanos(1, 1_300 * MS)).as("the per-chat spacing too").isEqualTo(100 * MS);
    }
}

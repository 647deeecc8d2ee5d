package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A bot's 429 window: when it opens, how long it runs, what a violation says. */
class RetryWindowTest {

    private static final long ARRIVED = 1_000_000;
    private final ManualClock clock = new ManualClock(ARRIVED);
    private final Bot bot = new Bot(123, "secret", clock, 1, new Journal(0, new AnswerLedger(ARRIVED)), 100);

    @Test
    void aWindowRunsFromWhenThe429sAnswerWasWrittenNotFromItsCallsArrival() {
        // The 429 to a call that arrived at ARRIVED waited 1 s on the server's pool before its answer was written.
        bot.retryAfter(ARRIVED + 1000, 2, 7, "getUpdates");

        assertThat(bot.insideRetryWindow(ARRIVED + 1100)).as("before the client could have had the 429").isNull();
        assertThat(bot.insideRetryWindow(ARRIVED + 2500)).as("inside the window from the write").isNotNull();
        assertThat(bot.insideRetryWindow(ARRIVED + 3000)).as("the window's end, from the write").isNull();
    }

    @Test
    void aCallWithinTheGraceAfterTheWriteIsNotAViolation() {
        bot.retryAfter(ARRIVED, 2, 7, "getUpdates");

        assertThat(bot.insideRetryWindow(ARRIVED + Bot.RETRY_GRACE_MILLIS - 1)).isNull();
        assertThat(bot.insideRetryWindow(ARRIVED + Bot.RETRY_GRACE_MILLIS)).isNotNull();
    }

    @Test
    void aViolationSaysWhich429ItBrokeAndHowLongAfterItsAnswer() {
        bot.retryAfter(ARRIVED, 2, 7, "getUpdates");

        assertThat(bot.insideRetryWindow(ARRIVED + 400)).isEqualTo(
                "400 ms after the 429 answered to call 7 (getUpdates) was written, 1600 ms before its window ended");
    }

    @Test
    void anUndelivered429ClosesItsWindowAgain() {
        bot.retryAfter(ARRIVED, 2, 7, "sendMessage");

        bot.retryAfterUndelivered(7, ARRIVED, 2);

        assertThat(bot.insideRetryWindow(ARRIVED + 500)).isNull();
    }

    @Test
    void anUndelivered429LeavesAWindowALaterOneExtended() {
        bot.retryAfter(ARRIVED, 2, 7, "sendMessage");
        bot.retryAfter(ARRIVED + 100, 2, 8, "getUpdates");

        bot.retryAfterUndelivered(7, ARRIVED, 2);

        assertThat(bot.insideRetryWindow(ARRIVED + 2050)).as("the second 429's window still runs").isNotNull();
    }
}

package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The verdict's message checks (answered, duplicates, order), its call checks on one process, and its reset. */
class VerdictTest {

    private final ManualClock clock = new ManualClock();
    private final SandboxServer server =
            SandboxServer.start(SandboxConfig.defaults().withClock(clock).withLog(line -> { }));
    private final ApiClient bot = new ApiClient(server, "123:secret");

    @AfterEach
    void close() {
        server.close();
    }

    private void reply(UserEvent to, String text) throws Exception {
        assertThat(bot.call("sendMessage", Map.of("chat_id", to.chatId(), "text", text, "reply_to_message_id",
                to.messageId())).status()).isEqualTo(200);
    }

    @Test
    void everyMessageAnsweredOncePasses() throws Exception {
        UserEvent a = server.say(123, 42, "a");
        UserEvent b = server.say(123, 43, "b");
        clock.advance(Duration.ofMillis(30));
        reply(a, "a");
        reply(b, "b");

        Verdict v = server.verdict();

        assertThat(v.passed()).isTrue();
        assertThat(v.answered().figures()).containsEntry("said", 2L).containsEntry("answered", 2L)
                .containsEntry("pending", 0L);
        assertThat(v.latency().figures()).containsEntry("p99Millis", 30L);
    }

    @Test
    void aMessageNotAnsweredIsPendingWithWhereItWasSaid() {
        server.say(123, 42, "anyone there?");
        clock.advance(Duration.ofMillis(1500));

        Verdict v = server.verdict();

        assertThat(v.passed()).isFalse();
        assertThat(v.answered().count()).isEqualTo(1);
        assertThat(v.answered().figures()).containsEntry("oldestPendingMillis", 1500L);
        assertThat(v.answered().first()).singleElement().satisfies(o -> {
            assertThat(o.botId()).isEqualTo(123);
            assertThat(o.chatId()).isEqualTo(42);
            assertThat(o.messageId()).isEqualTo(1);
            assertThat(o.what()).isEqualTo("not answered after 1500 ms: \"anyone there?\"");
        });
    }

    @Test
    void aSecondReplyToAMessageIsADuplicateOfItsBot() throws Exception {
        UserEvent a = server.say(123, 42, "a");
        reply(a, "a");
        reply(a, "a");

        Verdict v = server.verdict();

        assertThat(v.duplicates().count()).isEqualTo(1);
        assertThat(v.bots()).singleElement().satisfies(b -> assertThat(b.duplicates()).isEqualTo(1));
        assertThat(v.duplicates().first()).singleElement().satisfies(o -> {
            assertThat(o.chatId()).isEqualTo(42);
            assertThat(o.messageId()).isEqualTo(a.messageId());
            assertThat(o.what()).isEqualTo("a second reply (message 3) to message 1: \"a\"");
        });
    }

    @Test
    void aMessageWithNothingLeftToAnswerIsADuplicate() throws Exception {
        server.say(123, 42, "a");
        bot.call("sendMessage", Map.of("chat_id", 42, "text", "one"));
        bot.call("sendMessage", Map.of("chat_id", 42, "text", "two"));

        Verdict v = server.verdict();

        assertThat(v.answered().passed()).isTrue();
        assertThat(v.duplicates().count()).isEqualTo(1);
    }

    @Test
    void answersInAnotherOrderThanTheirMessagesAreCounted() throws Exception {
        UserEvent a = server.say(123, 42, "a");
        UserEvent b = server.say(123, 42, "b");
        reply(b, "b");
        reply(a, "a");

        Verdict v = server.verdict();

        assertThat(v.order().passed()).isFalse();
        assertThat(v.order().first()).singleElement().satisfies(o -> assertThat(o.what())
                .isEqualTo("message 1 answered (by message 4) after message 2"));
        assertThat(v.answered().passed()).isTrue();
    }

    @Test
    void aCallInsideA429WindowFailsTheRetryAfterCheck() throws Exception {
        server.injectFault(FaultRule.next(1, Fault.tooManyRequests(5)).forBot(123));
        bot.call("getMe", Map.of());
        clock.advance(Duration.ofSeconds(1));
        bot.call("getMe", Map.of());

        Verdict v = server.verdict();

        assertThat(v.retryAfter().count()).isEqualTo(1);
        assertThat(v.retryAfter().figures()).containsEntry("tooManyRequests", 1L);
        assertThat(v.retryAfter().first()).singleElement().satisfies(o -> assertThat(o.seq()).isEqualTo(2));
        assertThat(v.faults()).containsEntry("429", 1L);
    }

    @Test
    void aReplySentAgainAfterAnUncertainSendIsAnExplainedDuplicate() throws Exception {
        UserEvent a = server.say(123, 42, "a");
        server.injectFault(FaultRule.next(1, Fault.dropAfterApplying()).forMethod("sendMessage"));
        assertThatThrownBy(() -> reply(a, "a")).isInstanceOf(IOException.class);
        Await.until("the drop recorded", () -> server.record().calls(123, "sendMessage").get(0).delivery()
                == Delivery.DROPPED_AFTER_APPLYING);
        reply(a, "a");

        Verdict v = server.verdict();

        assertThat(v.duplicates().passed()).isTrue();
        assertThat(v.duplicates().figures()).containsEntry("duplicates", 1L).containsEntry("uncertainSends", 1L)
                .containsEntry("unexplained", 0L);
    }

    @Test
    void twoOpenPollsOfOneProcessAreNotTwoPollers() throws Exception {
        bot.callAsync("getUpdates", Map.of("offset", 1, "timeout", 30));
        Await.polled(server, 123, 1);
        bot.call("getUpdates", Map.of("offset", 2, "timeout", 0));

        Verdict v = server.verdict();

        assertThat(v.pollers().passed()).isTrue();
        assertThat(v.pollers().figures()).containsEntry("selfOverlaps", 1L);
        assertThat(server.record().maxConcurrentPolls(123)).isEqualTo(2);
    }

    @Test
    void a409EndingAPollOfTheSameProcessIsNotAConflictBetweenPollers() throws Exception {
        bot.callAsync("getUpdates", Map.of("offset", 1, "timeout", 30));
        Await.polled(server, 123, 1);
        bot.callAsync("getUpdates", Map.of("offset", 1, "timeout", 30));
        Await.polled(server, 123, 2);
        Await.until("the first poll answered 409", () -> server.record().calls(123).get(0).status() == 409);

        Verdict v = server.verdict();

        assertThat(v.conflicts().passed()).isTrue();
        assertThat(v.conflicts().figures()).containsEntry("all409", 1L).containsEntry("toSameProcess", 1L);
    }

    @Test
    void aResetLeavesEarlierMessagesAndCallsOut() throws Exception {
        UserEvent before = server.say(123, 42, "before");
        server.injectFault(FaultRule.next(1, Fault.tooManyRequests(5)).forBot(123));
        bot.call("getMe", Map.of());
        bot.call("getMe", Map.of());
        server.resetVerdict();
        UserEvent after = server.say(123, 42, "after");
        reply(before, "before");
        reply(after, "after");

        Verdict v = server.verdict();

        assertThat(v.passed()).isTrue();
        assertThat(v.answered().figures()).containsEntry("said", 1L).containsEntry("answered", 1L);
        assertThat(v.sinceMillis()).isEqualTo(clock.millis());
    }

    @Test
    void theVerdictCountsMoreThanTheRecordKeeps() throws Exception {
        try (SandboxServer small = SandboxServer.start(SandboxConfig.defaults().withRecordLimit(3).withChatHistory(2)
                .withLog(line -> { }))) {
            ApiClient client = new ApiClient(small, "5:s");
            for (int i = 0; i < 10; i++) {
                UserEvent e = small.say(5, 7, "m" + i);
                client.call("sendMessage", Map.of("chat_id", 7, "text", "m" + i, "reply_to_message_id",
                        e.messageId()));
            }

            Verdict v = small.verdict();

            assertThat(small.allSent()).as("the journal keeps the last few").hasSizeLessThan(10);
            assertThat(small.record().calls()).hasSize(3);
            assertThat(v.passed()).isTrue();
            assertThat(v.answered().figures()).containsEntry("said", 10L).containsEntry("answered", 10L);
            assertThat(v.bots()).singleElement().satisfies(b -> assertThat(b.calls()).isEqualTo(10));
        }
    }
}

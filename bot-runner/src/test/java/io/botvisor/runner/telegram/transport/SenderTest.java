package io.botvisor.runner.telegram.transport;

import static io.botvisor.runner.telegram.transport.ScriptedApi.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.runner.telegram.transport.ScriptedApi.Reply;
import io.botvisor.runner.telegram.transport.ScriptedApi.Seen;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sender against a scripted Bot API over real HTTP and an outbox in memory. */
class SenderTest {
    private final ScriptedApi api = new ScriptedApi();
    private final MemoryOutbox outbox = new MemoryOutbox();
    private final Map<TransportCounter, Long> counts = new ConcurrentHashMap<>();
    private Sender sender;

    SenderTest() throws Exception {
    }

    private Sender sender(UncertainPolicy policy, Duration idlePoll) {
        BotApiClient client = new BotApiClient(api.uri(), BotApiClientTest.TOKEN, Duration.ofSeconds(2),
                Duration.ofSeconds(5), ScriptedApi.JSON);
        SenderConfig config = new SenderConfig(Duration.ofSeconds(1), 20, 30, 100, 4, idlePoll, Duration.ofSeconds(30),
                policy);
        sender = new Sender("b1", client, outbox, new FloodGate(System::nanoTime), config,
                (c, d) -> counts.merge(c, d, Long::sum), System::nanoTime, () -> 0.5);
        sender.start();
        return sender;
    }

    private List<Seen> sends() {
        return api.seen("sendMessage");
    }

    @AfterEach
    void stop() throws Exception {
        if (sender != null) {
            sender.stop(Duration.ofSeconds(5));
        }
        api.close();
    }

    @Test
    void callsOfOneChatGoInOrderAtMostOneASecond() throws Exception {
        long first = outbox.queue(42, "one");
        long second = outbox.queue(42, "two");
        sender(UncertainPolicy.NEVER, Duration.ofSeconds(2));
        await("both sent", () -> outbox.state(second).equals("sent"));
        assertThat(sends()).extracting(s -> s.body().path("text").asText()).containsExactly("one", "two");
        assertThat(sends().get(1).atNanos() - sends().get(0).atNanos()).isGreaterThanOrEqualTo(1_000_000_000L);
        assertThat(outbox.log()).containsSubsequence("sent " + first, "sending " + second);
    }

    @Test
    void callsToDifferentChatsAreInFlightAtOnceButNeverTwoOfOneChat() throws Exception {
        api.holdSends = new java.util.concurrent.CountDownLatch(1);
        long first = outbox.queue(1, "one");
        long second = outbox.queue(1, "two");
        for (long chat = 2; chat <= 4; chat++) {
            outbox.queue(chat, "to " + chat);
        }
        sender(UncertainPolicy.NEVER, Duration.ofSeconds(2));
        await("four calls in flight, none answered", () -> sends().size() == 4);
        assertThat(sends()).extracting(s -> s.body().path("chat_id").asLong()).containsExactlyInAnyOrder(1L, 2L, 3L,
                4L);
        assertThat(outbox.state(second)).as("held behind the first of its chat").isEqualTo("queued");
        api.holdSends.countDown();
        await("all sent", () -> outbox.state(second).equals("sent"));
        assertThat(sends()).filteredOn(s -> s.body().path("chat_id").asLong() == 1)
                .extracting(s -> s.body().path("text").asText()).containsExactly("one", "two");
        assertThat(outbox.log()).containsSubsequence("sent " + first, "sending " + second);
    }

    @Test
    void aSendTheOutboxCouldNotRecordIsRecordedWhenItIsBackAndItsChatGoesOn() throws Exception {
        outbox.failNextSent = 1;
        long first = outbox.queue(42, "one");
        long second = outbox.queue(42, "two");
        sender(UncertainPolicy.NEVER, Duration.ofSeconds(2));
        await("both sent", () -> outbox.state(second).equals("sent"));
        assertThat(outbox.state(first)).isEqualTo("sent");
        assertThat(sends()).as("the first is not sent again").extracting(s -> s.body().path("text").asText())
                .containsExactly("one", "two");
        assertThat(outbox.log()).containsSubsequence("sent " + first + " failed", "sent " + first, "sending " + second);
    }

    @Test
    void aCallWhoseClaimAnswerWasLostIsQueuedAgainAndSentOnceAndItsChatGoesOn() throws Exception {
        long first = outbox.queue(42, "one");
        long second = outbox.queue(42, "two");
        outbox.loseClaimAnswerOf = first;
        sender(UncertainPolicy.NEVER, Duration.ofSeconds(2));
        await("both sent", () -> outbox.state(second).equals("sent"));
        assertThat(outbox.state(first)).isEqualTo("sent");
        assertThat(sends()).extracting(s -> s.body().path("text").asText()).containsExactly("one", "two");
        assertThat(outbox.log()).containsSubsequence("sending " + first + " answer lost",
                "stray " + first + " queued again", "sending " + first, "sent " + first, "sending " + second);
    }

    @Test
    void aCallInFlightIsNotTakenForAStrayWhileAnotherChatsLostClaimIsQueuedAgain() throws Exception {
        api.holdSends = new java.util.concurrent.CountDownLatch(1);
        long flying = outbox.queue(7, "in flight");
        long lost = outbox.queue(42, "claim lost");
        outbox.loseClaimAnswerOf = lost;
        sender(UncertainPolicy.NEVER, Duration.ofSeconds(2));
        await("the lost claim queued again", () -> outbox.log().contains("stray " + lost + " queued again"));
        assertThat(outbox.log()).doesNotContain("stray " + flying + " queued again");
        assertThat(outbox.state(flying)).isEqualTo("sending");
        api.holdSends.countDown();
        await("both sent", () -> outbox.state(flying).equals("sent") && outbox.state(lost).equals("sent"));
        assertThat(sends()).extracting(s -> s.body().path("text").asText())
                .containsExactlyInAnyOrder("in flight", "claim lost");
    }

    @Test
    void wakeSendsWithoutWaitingForTheIdlePoll() throws Exception {
        sender(UncertainPolicy.NEVER, Duration.ofMinutes(10));
        await("the sender idle", () -> outbox.log().isEmpty() && sender != null);
        long id = outbox.queue(42, "now");
        sender.wake();
        await("sent", () -> outbox.state(id).equals("sent"));
    }

    @Test
    void messageIdOfTheResultIsRecorded() throws Exception {
        api.then("sendMessage", Reply.ok("{\"message_id\":555,\"chat\":{\"id\":42},\"text\":\"hi\"}"));
        long id = outbox.queue(42, "hi");
        sender(UncertainPolicy.NEVER, Duration.ofSeconds(2));
        // The outcome is written before it is counted.
        await("sent and counted", () -> outbox.state(id).equals("sent") && counts.containsKey(TransportCounter.SENDS));
        assertThat(outbox.row(id).messageId).isEqualTo(555L);
        assertThat(counts).containsEntry(TransportCounter.SENDS, 1L);
    }

    @Test
    void refusedCallFailsWithTelegramsDescription() throws Exception {
        api.then("sendMessage", Reply.error(400, "Bad Request: chat not found", null));
        long id = outbox.queue(42, "hi");
        sender(UncertainPolicy.NEVER, Duration.ofSeconds(2));
        await("failed and counted", () -> outbox.state(id).equals("failed")
                && counts.containsKey(TransportCounter.SENDS_FAILED));
        assertThat(outbox.row(id).reason).isEqualTo("400 Bad Request: chat not found");
        assertThat(counts).containsEntry(TransportCounter.SENDS_FAILED, 1L);
    }

    @Test
    void blockedByTheUserFails() throws Exception {
        api.then("sendMessage", Reply.error(403, "Forbidden: bot was blocked by the user", null));
        long id = outbox.queue(42, "hi");
        sender(UncertainPolicy.NEVER, Duration.ofSeconds(2));
        await("failed", () -> outbox.state(id).equals("failed"));
        assertThat(outbox.row(id).reason).isEqualTo("403 Forbidden: bot was blocked by the user");
    }

    @Test
    void twoLostResponsesUnderRetryOnceMakeItUncertain() throws Exception {
        api.then("sendMessage", Reply.drop()).then("sendMessage", Reply.drop());
        long id = outbox.queue(42, "hi");
        sender(UncertainPolicy.RETRY_ONCE, Duration.ofSeconds(2));
        await("uncertain", () -> outbox.state(id).equals("uncertain"));
        assertThat(sends()).hasSize(2);
        assertThat(sends().get(1).atNanos() - sends().get(0).atNanos()).as("the per-chat limit holds for the retry")
                .isGreaterThanOrEqualTo(1_000_000_000L);
        assertThat(counts).containsEntry(TransportCounter.UNCERTAIN_SENDS, 2L);
        assertThat(outbox.row(id).attempts).as("the second attempt is counted").isEqualTo(2);
        assertThat(outbox.row(id).resent).as("marked for whoever reads it next: no third try").isTrue();
        assertThat(outbox.log()).containsSubsequence("sending " + id, "queued " + id + ": "
                + UncertainPolicy.SENT_ONCE_MORE, "sending " + id);
    }

    @Test
    void aCallAnEarlierProcessResentIsNotSentAgainAfterItsAnswerIsLostToo() throws Exception {
        api.then("sendMessage", Reply.drop());
        long id = outbox.queue(42, "hi");
        outbox.row(id).resent = true; // queued to be sent once more by the process before this one

        sender(UncertainPolicy.RETRY_ONCE, Duration.ofSeconds(2));

        await("uncertain", () -> outbox.state(id).equals("uncertain"));
        assertThat(sends()).hasSize(1);
        assertThat(outbox.log()).containsExactly("sending " + id, "uncertain " + id + ": "
                + outbox.row(id).reason);
    }

    @Test
    void aCallClaimedWhileAnotherWorkersCallIsAnswered429IsSentOnlyAfterTheFloodWait() throws Exception {
        api.then("sendMessage", Reply.error(429, "Too Many Requests: retry after 1", "{\"retry_after\":1}"));
        long first = outbox.queue(42, "first");
        long second = outbox.queue(43, "second");
        outbox.holdClaimOf = second; // handed out with the gate open, its claim still committing

        sender(UncertainPolicy.NEVER, Duration.ofSeconds(2));
        await("the first answered 429", () -> outbox.log().contains("queued " + first
                + ": Telegram asked to wait 1 s (429)"));
        outbox.claimHold.countDown();

        await("both sent", () -> outbox.state(first).equals("sent") && outbox.state(second).equals("sent"));
        Seen rateLimited = sends().get(0);
        Seen afterIt = sends().stream().filter(s -> s.body().path("text").asText().equals("second")).findFirst()
                .orElseThrow();
        assertThat(rateLimited.body().path("text").asText()).isEqualTo("first");
        assertThat(afterIt.atNanos() - rateLimited.atNanos()).as("not sent inside the 429's retry_after")
                .isGreaterThanOrEqualTo(1_000_000_000L);
    }

    @Test
    void aSendInFlightWhenTheSenderStopsStaysSendingForTheNextStartToResolve() throws Exception {
        api.holdSends = new java.util.concurrent.CountDownLatch(1);
        long id = outbox.queue(42, "hi");
        sender(UncertainPolicy.RETRY_ONCE, Duration.ofSeconds(2));
        await("the send made", () -> sends().size() == 1);
        sender.stop(Duration.ofMillis(100));
        sender = null;
        api.holdSends.countDown();
        assertThat(outbox.state(id)).as("in flight when the process ended, like a crash's").isEqualTo("sending");
        assertThat(outbox.log()).containsExactly("sending " + id);
    }

    @Test
    void serverErrorRequeuesAndTheCallIsSentLater() throws Exception {
        api.then("sendMessage", Reply.error(500, "Internal Server Error", null));
        long id = outbox.queue(42, "hi");
        sender(UncertainPolicy.NEVER, Duration.ofSeconds(2));
        await("sent", () -> outbox.state(id).equals("sent"));
        assertThat(outbox.log()).containsSubsequence("sending " + id, "queued " + id
                + ": SERVER 500 Internal Server Error", "sending " + id, "sent " + id);
        assertThat(sends().get(1).atNanos() - sends().get(0).atNanos()).as("backed off")
                .isGreaterThanOrEqualTo(1_000_000_000L);
    }
}

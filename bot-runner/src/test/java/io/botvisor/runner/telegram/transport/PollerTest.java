package io.botvisor.runner.telegram.transport;

import static io.botvisor.runner.telegram.transport.ScriptedApi.await;
import static io.botvisor.runner.telegram.transport.ScriptedApi.updates;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.botvisor.runner.telegram.transport.ScriptedApi.Reply;
import io.botvisor.runner.telegram.transport.ScriptedApi.Seen;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The poll loop against a scripted Bot API over real HTTP; the sandbox ITs cover it against the faithful fake. */
class PollerTest {
    private final ScriptedApi api = new ScriptedApi();
    private final MemorySink sink = new MemorySink();
    private final FloodGate gate = new FloodGate(System::nanoTime);
    private final Map<TransportCounter, Long> counts = new ConcurrentHashMap<>();
    private final List<TokenRejectedException> rejected = new CopyOnWriteArrayList<>();
    private Poller poller;

    PollerTest() throws Exception {
    }

    private Poller poller(long initialOffset) {
        BotApiClient client = new BotApiClient(api.uri(), BotApiClientTest.TOKEN, Duration.ofSeconds(2),
                Duration.ofSeconds(10), ScriptedApi.JSON);
        poller = new Poller("b1", client, sink, gate, PollerConfig.defaults(List.of("message", "callback_query")),
                initialOffset, (c, d) -> counts.merge(c, d, Long::sum), rejected::add, () -> 0.5);
        return poller;
    }

    private ScriptedApi started() {
        return api.then("getMe", Reply.ok("{\"id\":7,\"username\":\"echo_bot\"}"))
                .then("getWebhookInfo", Reply.ok("{\"url\":\"\"}"));
    }

    private List<Seen> polls() {
        return api.seen("getUpdates");
    }

    private static long gapMillis(List<Seen> polls, int i) {
        return (polls.get(i + 1).atNanos() - polls.get(i).atNanos()) / 1_000_000;
    }

    @AfterEach
    void stop() throws Exception {
        if (poller != null) {
            poller.stop(Duration.ofSeconds(5));
        }
        api.close();
    }

    @Test
    void startReturnsTheBotAndPollsWithTheConfiguredParameters() throws Exception {
        started();
        assertThat(poller(0).start(Duration.ofSeconds(10))).isEqualTo(new BotIdentity(7, "echo_bot"));
        await("a poll", () -> polls().size() == 1);
        assertThat(polls().get(0).body()).isEqualTo(ScriptedApi.JSON.readTree(
                "{\"limit\":100,\"timeout\":25,\"allowed_updates\":[\"message\",\"callback_query\"]}"));
        assertThat(api.seen("deleteWebhook")).isEmpty();
    }

    @Test
    void aWebhookIsDeletedKeepingPendingUpdatesBeforeTheFirstPoll() throws Exception {
        api.then("getMe", Reply.ok("{\"id\":7,\"username\":\"b\"}"))
                .then("getWebhookInfo", Reply.ok("{\"url\":\"https://example.org/hook\"}"));
        poller(0).start(Duration.ofSeconds(10));
        await("a poll", () -> polls().size() == 1);
        assertThat(api.seen("deleteWebhook")).singleElement()
                .satisfies(s -> assertThat(s.body().path("drop_pending_updates").booleanValue()).isFalse());
        assertThat(api.seen).extracting(Seen::method).startsWith("getMe", "getWebhookInfo", "deleteWebhook",
                "getUpdates");
    }

    @Test
    void rejectedTokenAtStartThrowsAndNeverPolls() {
        api.then("getMe", Reply.error(401, "Unauthorized", null));
        assertThatThrownBy(() -> poller(0).start(Duration.ofSeconds(10))).isInstanceOf(TokenRejectedException.class)
                .hasMessage("Telegram rejected the token (getMe: 401 Unauthorized)");
        assertThat(polls()).isEmpty();
    }

    @Test
    void nextPollConfirmsWhatWasRecorded() throws Exception {
        started().then("getUpdates", Reply.ok(updates(5, 6, 7)));
        poller(0).start(Duration.ofSeconds(10));
        await("a second poll", () -> polls().size() == 2);
        assertThat(sink.recorded()).containsExactly(5L, 6L, 7L);
        assertThat(polls().get(1).body().path("offset").longValue()).isEqualTo(8);
        assertThat(counts).containsEntry(TransportCounter.UPDATES_RECEIVED, 3L);
    }

    @Test
    void aSinkThatFailsConfirmsNothingAndTheSameOffsetIsPolledAgain() throws Exception {
        sink.failNext.set(1);
        started().then("getUpdates", Reply.ok(updates(5, 6))).then("getUpdates", Reply.ok(updates(5, 6)));
        poller(5).start(Duration.ofSeconds(10));
        await("a third poll", () -> polls().size() == 3);
        assertThat(polls()).extracting(s -> s.body().path("offset").longValue()).containsExactly(5L, 5L, 7L);
        assertThat(sink.recorded()).containsExactly(5L, 6L);
    }

    @Test
    void aSinkThatRecordsAPrefixConfirmsOnlyThePrefix() throws Exception {
        sink.recordAtMost = 1;
        started().then("getUpdates", Reply.ok(updates(5, 6, 7)));
        poller(0).start(Duration.ofSeconds(10));
        await("a second poll", () -> polls().size() == 2);
        assertThat(polls().get(1).body().path("offset").longValue()).isEqualTo(6);
    }

    @Test
    void conflictsBackOffWithGrowingSpacingAndFailHealthMeanwhile() throws Exception {
        started();
        for (int i = 0; i < 3; i++) {
            api.then("getUpdates", Reply.error(409, "Conflict: terminated by other getUpdates request; make sure "
                    + "that only one bot instance is running", null));
        }
        api.then("getUpdates", Reply.ok("[]"));
        poller(0).start(Duration.ofSeconds(10));
        await("a conflict", () -> counts.getOrDefault(TransportCounter.CONFLICTS, 0L) >= 1);
        assertThat(poller.healthProblem()).hasValueSatisfying(p -> assertThat(p).startsWith(
                "another process is polling this bot's token (409 Conflict): Conflict: terminated by other"));
        await("the poll after three conflicts", () -> polls().size() >= 4);
        List<Seen> polls = polls();
        // Backoff 1 s × 2 with the jitter rolled to its middle: at least 1, 2 and 4 s between polls.
        assertThat(List.of(gapMillis(polls, 0), gapMillis(polls, 1), gapMillis(polls, 2)))
                .satisfies(g -> assertThat(g.get(0)).isGreaterThanOrEqualTo(1_000))
                .satisfies(g -> assertThat(g.get(1)).isGreaterThanOrEqualTo(2_000))
                .satisfies(g -> assertThat(g.get(2)).isGreaterThanOrEqualTo(4_000));
        await("health back", () -> poller.healthProblem().isEmpty());
        assertThat(counts).containsEntry(TransportCounter.CONFLICTS, 3L);
    }

    @Test
    void tooManyRequestsStopsPollingForRetryAfter() throws Exception {
        started().then("getUpdates", Reply.error(429, "Too Many Requests: retry after 2", "{\"retry_after\":2}"));
        poller(0).start(Duration.ofSeconds(10));
        await("the 429", () -> counts.containsKey(TransportCounter.RATE_LIMITED));
        assertThat(poller.healthProblem()).hasValueSatisfying(p -> assertThat(p).startsWith(
                "Telegram's flood control: nothing is sent for "));
        await("the poll after the wait", () -> polls().size() == 2);
        assertThat(gapMillis(polls(), 0)).isGreaterThanOrEqualTo(2_000);
        assertThat(counts).containsEntry(TransportCounter.RETRY_AFTER_SECONDS, 2L);
    }

    @Test
    void rejectedTokenWhilePollingStopsAndIsReportedOnce() throws Exception {
        started().then("getUpdates", Reply.error(401, "Unauthorized", null));
        poller(0).start(Duration.ofSeconds(10));
        await("the rejection", () -> !rejected.isEmpty());
        poller.stop(Duration.ofSeconds(5));
        assertThat(rejected).singleElement().extracting(Throwable::getMessage)
                .isEqualTo("Telegram rejected the token (getUpdates: 401 Unauthorized)");
        assertThat(polls()).hasSize(1);
        assertThat(poller.healthProblem()).contains("Telegram rejected the token (getUpdates: 401 Unauthorized)");
    }

    @Test
    void aSinkBreakingItsContractStopsPollingWithAHealthProblem() throws Exception {
        UpdateSink liar = updates -> updates.size() + 1;
        BotApiClient client = new BotApiClient(api.uri(), BotApiClientTest.TOKEN, Duration.ofSeconds(2),
                Duration.ofSeconds(10), ScriptedApi.JSON);
        poller = new Poller("b1", client, liar, gate, PollerConfig.defaults(List.of("message")), 0,
                TransportCounters.NONE, rejected::add, () -> 0.5);
        started().then("getUpdates", Reply.ok(updates(5)));
        poller.start(Duration.ofSeconds(10));
        await("the health problem", () -> poller.healthProblem().isPresent());
        assertThat(poller.healthProblem().get()).isEqualTo("polling stopped: IllegalArgumentException (the update "
                + "sink said it recorded 2 of 1 updates (expected 0..1))");
        assertThat(polls()).hasSize(1);
    }

    @Test
    void aResponseThatIsNotTheEnvelopeIsRetriedFromTheSameOffset() throws Exception {
        started().then("getUpdates", new Reply(502, "<html>Bad Gateway</html>", false));
        poller(9).start(Duration.ofSeconds(10));
        await("a second poll", () -> polls().size() == 2);
        assertThat(polls()).extracting(s -> s.body().path("offset").longValue()).containsExactly(9L, 9L);
        assertThat(gapMillis(polls(), 0)).isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void stopEndsAParkedPollAndConfirmsWhatWasRecorded() throws Exception {
        started().then("getUpdates", Reply.ok(updates(5, 6)));
        poller(0).start(Duration.ofSeconds(10));
        await("the parked second poll", () -> polls().size() == 2);
        long stoppedAt = System.nanoTime();
        assertThat(poller.stop(Duration.ofSeconds(20))).isEqualTo(7);
        assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isLessThan(Duration.ofSeconds(20));
        List<Seen> polls = polls();
        assertThat(polls).hasSize(3);
        assertThat(polls.get(2).body()).isEqualTo(ScriptedApi.JSON.readTree(
                "{\"offset\":7,\"limit\":1,\"timeout\":0,\"allowed_updates\":[\"message\",\"callback_query\"]}"));
        assertThat(poller.confirmedOffset()).isEqualTo(7);
    }
}

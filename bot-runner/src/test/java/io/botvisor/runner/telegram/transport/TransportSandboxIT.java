package io.botvisor.runner.telegram.transport;

import static io.botvisor.runner.telegram.transport.ScriptedApi.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.botvisor.sandbox.Call;
import io.botvisor.sandbox.Delivery;
import io.botvisor.sandbox.Fault;
import io.botvisor.sandbox.FaultRule;
import io.botvisor.sandbox.SandboxConfig;
import io.botvisor.sandbox.SandboxServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The poller and the sender against the sandbox's fake Bot API server, over real HTTP. */
class TransportSandboxIT {
    static final String TOKEN = RedactionTest.TOKEN;
    static final long BOT = 123456789L;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final SandboxServer sandbox = SandboxServer.start(SandboxConfig.defaults());
    private final ObjectMapper json = new ObjectMapper();
    private final BotApiClient client = new BotApiClient(URI.create(sandbox.url()), TOKEN, Duration.ofSeconds(2),
            Duration.ofSeconds(5), json);
    private final FloodGate gate = new FloodGate(System::nanoTime);
    private final MemorySink sink = new MemorySink();
    private final MemoryOutbox outbox = new MemoryOutbox();
    private final Map<TransportCounter, Long> counts = new ConcurrentHashMap<>();
    private final List<TokenRejectedException> rejected = new CopyOnWriteArrayList<>();
    private final List<Poller> pollers = new ArrayList<>();
    private Sender sender;

    private Poller poller(BotApiClient api) {
        Poller poller = new Poller("b1", api, sink, gate, PollerConfig.defaults(List.of("message", "callback_query")),
                0, (c, d) -> counts.merge(c, d, Long::sum), rejected::add, () -> 0.5);
        pollers.add(poller);
        return poller;
    }

    private Sender sender(UncertainPolicy policy) {
        sender = new Sender("b1", client, outbox, gate, SenderConfig.defaults(policy),
                (c, d) -> counts.merge(c, d, Long::sum), System::nanoTime, () -> 0.5);
        sender.start();
        return sender;
    }

    private List<Call> calls(String method) {
        return sandbox.record().calls(BOT, method);
    }

    @AfterEach
    void close() throws Exception {
        for (Poller p : pollers) {
            p.stop(Duration.ofSeconds(5));
        }
        if (sender != null) {
            sender.stop(Duration.ofSeconds(5));
        }
        sandbox.close();
    }

    @Test
    void updateIsRecordedAndTheReplyDeliveredWithTelegramsMessageId() throws Exception {
        assertThat(poller(client).start(WAIT).id()).isEqualTo(BOT);
        sandbox.say(BOT, 42, "hello");
        await("the update recorded", () -> sink.recorded().size() == 1);
        long id = outbox.queue(42, "hello back");
        sender(UncertainPolicy.NEVER).wake();
        assertThat(sandbox.awaitSent(BOT, 42, 1, WAIT)).singleElement()
                .satisfies(m -> assertThat(m.text()).isEqualTo("hello back"));
        await("the row sent", () -> outbox.state(id).equals("sent"));
        assertThat(outbox.row(id).messageId).isEqualTo(sandbox.sent(BOT, 42).get(0).messageId());
        await("the update confirmed", () -> sandbox.pendingUpdateCount(BOT) == 0);
    }

    @Test
    void aSinkThatFailsLeavesTheUpdateOnTelegramsSideUntilItIsRecorded() throws Exception {
        sink.failNext.set(2);
        poller(client).start(WAIT);
        sandbox.say(BOT, 42, "hello");
        await("the third poll", () -> calls("getUpdates").size() >= 3);
        List<Call> polls = calls("getUpdates");
        // The first poll got the update; the two after it, while the sink failed, asked from the same offset again.
        assertThat(polls.subList(0, 3)).extracting(c -> c.params().path("offset").asLong())
                .containsOnly(polls.get(0).params().path("offset").asLong());
        await("the update recorded", () -> sink.recorded().size() == 1);
        await("the update confirmed", () -> sandbox.pendingUpdateCount(BOT) == 0);
        long confirming = sink.recorded().get(0) + 1;
        assertThat(calls("getUpdates")).anySatisfy(c -> assertThat(c.params().path("offset").asLong())
                .isEqualTo(confirming));
    }

    @Test
    void tooManyRequestsIsObeyedByThePollerAndTheSender() throws Exception {
        poller(client).start(WAIT);
        sandbox.say(BOT, 42, "hi");
        sandbox.say(BOT, 43, "hi");
        // The poll parked first: a call that passed the open gate just before the 429 came back would be in the
        // window without breaking the rule (the client cannot know of a 429 still on its way).
        await("both recorded and the next poll parked", () -> sink.recorded().size() == 2
                && calls("getUpdates").stream().anyMatch(c -> c.delivery() == Delivery.PENDING));
        sandbox.injectFault(FaultRule.next(1, Fault.tooManyRequests(2)).forBot(BOT).forMethod("sendMessage"));
        outbox.queue(42, "one");
        outbox.queue(43, "two");
        sender(UncertainPolicy.NEVER).wake();
        assertThat(sandbox.awaitSent(BOT, 42, 1, WAIT)).hasSize(1);
        assertThat(sandbox.awaitSent(BOT, 43, 1, WAIT)).hasSize(1);
        assertThat(sandbox.record().calls(BOT).stream().filter(c -> c.status() == 429)).hasSize(1);
        assertThat(sandbox.record().retryAfterViolations()).isEmpty();
        assertThat(counts).containsEntry(TransportCounter.RATE_LIMITED, 1L)
                .containsEntry(TransportCounter.RETRY_AFTER_SECONDS, 2L);
    }

    @Test
    void conflictsAreRetriedWithGrowingSpacingNotInAHotLoop() throws Exception {
        sandbox.injectFault(FaultRule.next(4, Fault.status(409)).forBot(BOT).forMethod("getUpdates"));
        poller(client).start(WAIT);
        await("the poll after four conflicts", () -> calls("getUpdates").size() >= 5);
        List<Call> polls = calls("getUpdates");
        for (int i = 0; i < 3; i++) {
            long gap = polls.get(i + 1).arrivedAtMillis() - polls.get(i).arrivedAtMillis();
            assertThat(gap).as("gap after conflict %d", i + 1).isGreaterThanOrEqualTo(1000L << i);
        }
        assertThat(counts).containsEntry(TransportCounter.CONFLICTS, 4L);
    }

    @Test
    void aSecondPollerOfTheSameTokenMakesTheFirstReportTheConflict() throws Exception {
        Poller first = poller(client);
        first.start(WAIT);
        await("the first poll parked", () -> calls("getUpdates").size() == 1);
        BotApiClient other = new BotApiClient(URI.create(sandbox.url()), TOKEN, Duration.ofSeconds(2),
                Duration.ofSeconds(5), json);
        poller(other).start(WAIT);
        await("the first poller's conflict", () -> first.healthProblem().isPresent());
        assertThat(first.healthProblem().get()).startsWith(Poller.CONFLICT);
        assertThat(calls("getUpdates")).anySatisfy(c -> assertThat(c.endedByOtherPoll()).isTrue());
    }

    @Test
    void revokedTokenStopsPollingAndIsReportedOnce() throws Exception {
        poller(client).start(WAIT);
        await("a parked poll", () -> calls("getUpdates").size() == 1);
        sandbox.revoke(BOT);
        sandbox.say(BOT, 42, "wake the parked poll"); // its answer comes, then the next poll meets the revocation
        await("the rejection", () -> !rejected.isEmpty());
        pollers.get(0).stop(Duration.ofSeconds(5));
        assertThat(rejected).hasSize(1);
        assertThat(calls("getUpdates").stream().filter(c -> c.status() == 401)).hasSize(1);
        assertThat(calls("getUpdates").get(calls("getUpdates").size() - 1).status()).isEqualTo(401);
    }

    @Test
    void notFoundOnGetMeIsARejectedToken() {
        sandbox.register(TOKEN);
        sandbox.revokeWithNotFoundOnGetMe(BOT);
        assertThatThrownBy(() -> poller(client).start(WAIT)).isInstanceOf(TokenRejectedException.class)
                .hasMessageStartingWith("Telegram rejected the token (getMe: 404 ");
        assertThat(calls("getMe")).hasSize(1);
    }

    @Test
    void aCallDroppedBeforeItWasAppliedIsSentOnceMoreUnderRetryOnce() throws Exception {
        sandbox.say(BOT, 42, "hi");
        sandbox.injectFault(FaultRule.next(1, Fault.dropBeforeApplying()).forBot(BOT).forMethod("sendMessage"));
        long id = outbox.queue(42, "hi");
        sender(UncertainPolicy.RETRY_ONCE).wake();
        await("the row sent", () -> outbox.state(id).equals("sent"));
        assertThat(sandbox.sent(BOT, 42)).hasSize(1);
        assertThat(calls("sendMessage")).extracting(Call::delivery)
                .containsExactly(Delivery.DROPPED_BEFORE_APPLYING, Delivery.DELIVERED);
    }

    @Test
    void aCallDroppedAfterItWasAppliedIsUncertainAndNotSentAgain() throws Exception {
        sandbox.say(BOT, 42, "hi");
        sandbox.injectFault(FaultRule.next(1, Fault.dropAfterApplying()).forBot(BOT).forMethod("sendMessage"));
        long id = outbox.queue(42, "hi");
        sender(UncertainPolicy.NEVER).wake();
        await("the row uncertain", () -> outbox.state(id).equals("uncertain"));
        assertThat(sandbox.sent(BOT, 42)).hasSize(1); // delivered once, never twice
        assertThat(calls("sendMessage")).hasSize(1);
        assertThat(counts).containsEntry(TransportCounter.UNCERTAIN_SENDS, 1L);
    }

    @Test
    void aRefusedConnectionRequeuesTheCall() throws Exception {
        sandbox.close();
        BotApiClient refused = new BotApiClient(URI.create(sandbox.url()), TOKEN, Duration.ofSeconds(2),
                Duration.ofSeconds(5), json);
        sender = new Sender("b1", refused, outbox, gate, SenderConfig.defaults(UncertainPolicy.NEVER),
                (c, d) -> counts.merge(c, d, Long::sum), System::nanoTime, () -> 0.5);
        long id = outbox.queue(42, "hi");
        sender.start();
        await("the requeue", () -> outbox.log().contains("sending " + id) && outbox.state(id).equals("queued"));
        assertThat(outbox.row(id).reason).startsWith("NOT_SENT sendMessage: ConnectException");
    }

    @Test
    void aMigratedGroupIsFollowedToItsSupergroup() throws Exception {
        sandbox.say(BOT, -5, 7, "hi group");
        long supergroup = sandbox.migrate(BOT, -5);
        long id = outbox.queue(-5, "to the group");
        sender(UncertainPolicy.NEVER).wake();
        await("the row sent", () -> outbox.state(id).equals("sent"));
        assertThat(sandbox.sent(BOT, supergroup)).singleElement()
                .satisfies(m -> assertThat(m.text()).isEqualTo("to the group"));
        assertThat(outbox.log()).contains("migrate -5 -> " + supergroup);
        assertThat(calls("sendMessage").get(1).params().path("chat_id").asLong()).isEqualTo(supergroup);
    }

    @Test
    void stopEndsTheParkedPollAndConfirmsWhatWasRecorded() throws Exception {
        Poller poller = poller(client);
        poller.start(WAIT);
        sandbox.say(BOT, 42, "one");
        await("the update recorded and the next poll parked",
                () -> sink.recorded().size() == 1 && calls("getUpdates").size() >= 2);
        long offset = poller.stop(Duration.ofSeconds(20));
        assertThat(offset).isEqualTo(sink.recorded().get(0) + 1);
        Call last = calls("getUpdates").get(calls("getUpdates").size() - 1);
        assertThat(last.params().path("limit").asInt()).isEqualTo(1);
        assertThat(last.params().path("timeout").asInt()).isZero();
        assertThat(last.params().path("offset").asLong()).isEqualTo(offset);
    }
}

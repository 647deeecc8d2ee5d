package io.botvisor.runner.telegram.runtime;

import io.botvisor.ipc.ChildExit;
import io.botvisor.runner.BotConfigException;
import io.botvisor.runner.BotContext;
import io.botvisor.runner.telegram.transport.BotApiClient;
import io.botvisor.runner.telegram.transport.BotIdentity;
import io.botvisor.runner.telegram.transport.FloodGate;
import io.botvisor.runner.telegram.transport.OutboxPort;
import io.botvisor.runner.telegram.transport.Poller;
import io.botvisor.runner.telegram.transport.PollerConfig;
import io.botvisor.runner.telegram.transport.Sender;
import io.botvisor.runner.telegram.transport.SenderConfig;
import io.botvisor.runner.telegram.transport.TokenRejectedException;
import io.botvisor.runner.telegram.transport.TransportException;
import io.botvisor.runner.telegram.transport.UncertainPolicy;
import io.botvisor.runner.telegram.transport.UpdateSink;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's poller and sender over one client and one flood gate (a 429 stops both), set up from its
 * {@link Settings}. Thread-safe.
 */
final class Transport {
    private static final Logger log = LoggerFactory.getLogger(Transport.class);
    /** Within the supervisor's default startupTimeout (30 s): a start that cannot reach Telegram fails and is retried. */
    static final Duration START_DEADLINE = Duration.ofSeconds(20);
    /**
     * How often an idle sender looks at the outbox unwoken: every commit that queues a reply wakes it, so this only
     * bounds a lost wake-up; 200 idle bots would otherwise query the database all the time.
     */
    static final Duration SENDER_IDLE_POLL = Duration.ofSeconds(30);

    private final BotContext ctx;
    private final BotApiClient client;
    private final FloodGate gate = new FloodGate(System::nanoTime);
    private final Sender sender;
    private final PollerConfig pollerConfig;
    private volatile Poller poller;
    private volatile Runnable onTokenRejected = () -> { };

    Transport(Settings s, String token, BotContext ctx, OutboxPort outbox) {
        this.ctx = ctx;
        try {
            this.client = BotApiClient.create(URI.create(s.apiUrl()), token);
        } catch (TransportException e) {
            throw new BotConfigException(e.getMessage(), e); // a malformed token: no restart fixes it
        }
        this.pollerConfig = new PollerConfig((int) s.pollTimeout().toSeconds(), 100, s.allowedUpdates(),
                Duration.ofSeconds(30), Duration.ofSeconds(60));
        SenderConfig d = SenderConfig.defaults(s.retryUncertain() ? UncertainPolicy.RETRY_ONCE : UncertainPolicy.NEVER);
        Duration perChat = s.perChat().per().dividedBy(s.perChat().count());
        int perGroupPerMinute = (int) (s.perGroup().count() * (60 / s.perGroup().per().toSeconds()));
        int overallPerSecond = (int) Math.max(1, s.overall().count() / s.overall().per().toSeconds());
        this.sender = new Sender(ctx.botId(), client, outbox, gate, new SenderConfig(perChat,
                perGroupPerMinute, overallPerSecond, d.batch(), d.concurrency(), SENDER_IDLE_POLL, d.retryBackoffMax(),
                d.uncertainPolicy()), (c, n) -> ctx.count(c.key(), n), System::nanoTime,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /** What to do when Telegram rejects the token while the bot runs (it was revoked). */
    void onTokenRejected(Runnable r) {
        onTokenRejected = r;
    }

    /** Starts sending, then checks the token and starts polling into {@code sink}; returns the bot's identity. */
    BotIdentity start(UpdateSink sink) throws InterruptedException {
        startSending();
        BotIdentity me = check(sink);
        poll(0);
        return me;
    }

    /**
     * Checks the token (getMe) and readies the poller for {@code sink} without polling: a handover successor's
     * standby. A token Telegram rejects is a {@link BotConfigException}.
     */
    BotIdentity check(UpdateSink sink) throws InterruptedException {
        Poller p = new Poller(ctx.botId(), client, sink, gate, pollerConfig, 0, (c, n) -> ctx.count(c.key(), n),
                this::tokenRejected, () -> ThreadLocalRandom.current().nextDouble());
        poller = p;
        try {
            return p.check(START_DEADLINE);
        } catch (TokenRejectedException e) {
            throw new BotConfigException(e.getMessage(), e);
        }
    }

    /** Starts polling from {@code offset} (after {@link #check}). */
    void poll(long offset) {
        poller.poll(offset);
    }

    void startSending() {
        sender.start();
    }

    private void tokenRejected(TokenRejectedException e) {
        log.error("bot '{}': {}; the bot stops (exit {}) and will not be restarted with this token", ctx.botId(),
                e.getMessage(), ChildExit.CONFIG_ERROR);
        onTokenRejected.run();
    }

    void wakeSender() {
        sender.wake();
    }

    /**
     * Why the bot is unhealthy now: another process polls its token (409). A flood wait or a database outage is not
     * one — a restart cures neither, and the runtime rides both out by itself (they are logged).
     */
    String problem() {
        Poller p = poller;
        return p == null ? null : p.healthProblem().filter(x -> x.startsWith(Poller.CONFLICT)).orElse(null);
    }

    /**
     * Stops polling within {@code deadline}: a waiting poll is cut, what was received is recorded and confirmed.
     * Returns the offset Telegram last accepted (where a successor polls from; 0 when it never polled).
     */
    long stopPolling(Duration deadline) throws InterruptedException {
        Poller p = poller;
        return p == null ? 0 : p.stop(deadline);
    }

    void stopSending(Duration deadline) throws InterruptedException {
        sender.stop(deadline);
    }
}

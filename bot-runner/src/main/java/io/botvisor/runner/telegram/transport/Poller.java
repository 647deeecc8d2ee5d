package io.botvisor.runner.telegram.transport;

import com.fasterxml.jackson.databind.JsonNode;
import io.botvisor.runner.telegram.transport.ApiOutcome.Failure;
import io.botvisor.runner.telegram.transport.ApiOutcome.Kind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bot's long-poll loop, on its own thread ({@code telegram-poller}). {@link #start} checks the token (getMe) and
 * removes a webhook on the caller's thread, then polls. Every batch goes to the {@link UpdateSink}; only what it
 * recorded is confirmed (the offset rule of {@link Updates#nextOffset}). A 429 closes the bot's {@link FloodGate};
 * a 401 stops polling and reports the token rejected once; a 409 backs off (1 s … 60 s) with a health problem; other
 * failures back off with jitter (1 s × 2, capped), reset by a success. {@link #stop} ends a parked poll at once by
 * interrupting it (never a database write in progress) and confirms what was recorded.
 *
 * <p>Thread-safe: {@link #start} and {@link #stop} from the runtime's thread, the getters from any.
 */
public final class Poller {
    public static final String CONFLICT = "another process is polling this bot's token (409 Conflict)";
    private static final Logger log = LoggerFactory.getLogger(Poller.class);

    private final String bot;
    private final BotApiClient client;
    private final UpdateSink sink;
    private final FloodGate gate;
    private final PollerConfig config;
    private final TransportCounters counters;
    private final Consumer<TokenRejectedException> onTokenRejected;
    private final DoubleSupplier random;
    private final Backoff errors;
    private final Backoff conflicts;
    private final Pause pause = new Pause();

    private volatile long nextOffset;
    private volatile long confirmedOffset;
    private volatile String problem;
    private volatile BotIdentity identity;
    private Thread thread;
    private boolean stopping;
    private boolean interruptible;

    /**
     * @param initialOffset   the offset to poll from (the previous process's confirmed offset), 0 for Telegram's oldest
     * @param onTokenRejected called once, on the poller's thread, when Telegram rejects the token while polling
     */
    public Poller(String bot, BotApiClient client, UpdateSink sink, FloodGate gate, PollerConfig config,
            long initialOffset, TransportCounters counters, Consumer<TokenRejectedException> onTokenRejected,
            DoubleSupplier random) {
        this.bot = bot;
        this.client = client;
        this.sink = sink;
        this.gate = gate;
        this.config = config;
        this.counters = counters;
        this.onTokenRejected = onTokenRejected;
        this.random = random;
        this.errors = new Backoff(Duration.ofSeconds(1), config.errorBackoffMax(), 0.2, random);
        this.conflicts = new Backoff(Duration.ofSeconds(1), config.conflictBackoffMax(), 0.2, random);
        this.nextOffset = initialOffset;
        this.confirmedOffset = initialOffset;
    }

    /**
     * Checks the token with getMe, removes a webhook (keeping pending updates), then starts polling. Transient
     * failures are retried until {@code deadline}; READY may be reported once this returns.
     *
     * @throws TokenRejectedException when Telegram rejects the token (do not restart)
     * @throws TransportException     when Telegram could not be reached before {@code deadline}
     */
    public BotIdentity start(Duration deadline) throws InterruptedException {
        BotIdentity identity = check(deadline);
        poll(nextOffset);
        return identity;
    }

    /**
     * Checks the token with getMe and removes a webhook (keeping pending updates), without polling: what a handover
     * successor does in standby. Transient failures are retried until {@code deadline}.
     *
     * @throws TokenRejectedException when Telegram rejects the token (do not restart)
     * @throws TransportException     when Telegram could not be reached before {@code deadline}
     */
    public BotIdentity check(Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        JsonNode me = startCall("getMe", end);
        BotIdentity identity = new BotIdentity(me.path("id").asLong(), me.path("username").asText(""));
        String webhook = startCall("getWebhookInfo", end).path("url").asText("");
        if (!webhook.isEmpty()) {
            log.warn("bot '{}': a webhook is set ({}); deleting it so that polling works, pending updates kept", bot,
                    Redaction.redact(webhook));
            startCall("deleteWebhook", end);
        }
        errors.reset();
        this.identity = identity;
        return identity;
    }

    /**
     * Starts polling from {@code fromOffset} (a handover successor: the offset its predecessor confirmed). Once only;
     * after {@link #stop} it does nothing.
     */
    public void poll(long fromOffset) {
        synchronized (this) {
            if (thread != null) {
                throw new IllegalStateException("bot '" + bot + "': the poller was started already");
            }
            if (stopping) {
                return;
            }
            nextOffset = fromOffset;
            confirmedOffset = fromOffset;
            thread = new Thread(this::run, "telegram-poller");
            thread.setDaemon(true);
            thread.start();
        }
        BotIdentity me = identity;
        log.info("bot '{}': polling Telegram as @{} from offset {}", bot, me == null ? "?" : me.username(),
                fromOffset);
    }

    private JsonNode startCall(String method, long end) throws InterruptedException {
        while (true) {
            gate.awaitOpen();
            ApiOutcome outcome = switch (method) {
                case "getMe" -> client.getMe();
                case "getWebhookInfo" -> client.getWebhookInfo();
                default -> client.deleteWebhook(false);
            };
            if (outcome instanceof ApiOutcome.Ok ok) {
                return ok.result();
            }
            Failure failure = (Failure) outcome;
            if (failure.kind() == Kind.TOKEN_REJECTED) {
                throw new TokenRejectedException("Telegram rejected the token (" + method + ": " + failure.reason()
                        + ")");
            }
            Duration wait = failure.kind() == Kind.RETRY_AFTER ? obey(failure) : errors.next();
            if (System.nanoTime() + wait.toNanos() - end > 0) {
                throw new TransportException("bot '" + bot + "': Telegram could not be reached at start (" + method
                        + ": " + failure.reason() + "); giving up at the start deadline");
            }
            log.warn("bot '{}': {} failed at start ({}); retrying in {} ms", bot, method, failure.reason(),
                    wait.toMillis());
            pause.await(wait);
        }
    }

    private void run() {
        try {
            while (enterBlocking()) {
                try {
                    pollOnce();
                } finally {
                    leaveBlocking();
                }
            }
        } catch (InterruptedException e) {
            // Only stop() interrupts, and only inside enterBlocking/leaveBlocking: fall through to the final confirm.
        } catch (TokenRejectedException e) {
            problem = e.getMessage();
            onTokenRejected.accept(e);
            return;
        } catch (RuntimeException e) {
            // A bug (ours, or a sink breaking its contract): polling ends, and the self-check says so.
            problem = "polling stopped: " + Redaction.describe(e);
            log.error("bot '{}': polling stopped: {}; what was recorded is confirmed, the rest stays on "
                    + "Telegram's side", bot, Redaction.describe(e));
        }
        confirmOnStop();
    }

    /** One poll, and what its outcome calls for: recording, or a wait. */
    private void pollOnce() throws InterruptedException {
        gate.awaitOpen();
        long offset = nextOffset;
        ApiOutcome outcome = client.getUpdates(offset, config.limit(), config.timeoutSeconds(),
                config.allowedUpdates());
        counters.add(TransportCounter.POLLS, 1);
        if (outcome instanceof ApiOutcome.Ok ok) {
            confirmedOffset = offset;
            conflicts.reset();
            if (problem != null && problem.startsWith(CONFLICT)) {
                log.info("bot '{}': polling again, no other process holds the token now", bot);
                problem = null;
            }
            handle(ok.result());
            return;
        }
        Failure failure = (Failure) outcome;
        switch (failure.kind()) {
            case RETRY_AFTER -> pause.await(obey(failure));
            case TOKEN_REJECTED -> throw new TokenRejectedException("Telegram rejected the token (getUpdates: "
                    + failure.reason() + ")");
            case CONFLICT -> {
                counters.add(TransportCounter.CONFLICTS, 1);
                problem = CONFLICT + ": " + failure.description();
                Duration wait = conflicts.next();
                log.warn("bot '{}': {} ({}); polling again in {} ms", bot, CONFLICT, failure.description(),
                        wait.toMillis());
                pause.await(wait);
            }
            default -> {
                Duration wait = errors.next();
                log.warn("bot '{}': getUpdates failed ({} {}); polling again in {} ms", bot, failure.kind(),
                        failure.reason(), wait.toMillis());
                pause.await(wait);
            }
        }
    }

    private void handle(JsonNode result) throws InterruptedException {
        List<IncomingUpdate> batch;
        try {
            batch = Updates.parse(result);
        } catch (Updates.MalformedException e) {
            Duration wait = errors.next();
            log.warn("bot '{}': {}; treated as a server error, polling again in {} ms", bot, e.getMessage(),
                    wait.toMillis());
            pause.await(wait);
            return;
        }
        if (batch.isEmpty()) {
            errors.reset();
            return;
        }
        counters.add(TransportCounter.UPDATES_RECEIVED, batch.size());
        int recorded;
        // The database write must not be interrupted by stop(): it finishes, then the final confirm covers it.
        leaveBlocking();
        try {
            recorded = sink.record(batch);
        } catch (Exception e) {
            recorded = -1;
            problem = "the inbox could not record updates (" + Redaction.describe(e) + "); nothing confirmed";
            log.warn("bot '{}': the inbox could not record {} updates ({}); nothing confirmed, they stay on "
                    + "Telegram's side", bot, batch.size(), Redaction.describe(e));
        }
        if (!enterBlocking()) {
            if (recorded > 0) {
                nextOffset = Updates.nextOffset(nextOffset, batch, recorded);
            }
            throw new InterruptedException("stopping");
        }
        if (recorded <= 0) {
            Duration wait = errors.next();
            log.info("bot '{}': polling again from offset {} in {} ms", bot, nextOffset, wait.toMillis());
            pause.await(wait);
            return;
        }
        if (problem != null && problem.startsWith("the inbox")) {
            problem = null;
        }
        nextOffset = Updates.nextOffset(nextOffset, batch, recorded);
        errors.reset();
    }

    private Duration obey(Failure failure) {
        counters.add(TransportCounter.RATE_LIMITED, 1);
        counters.add(TransportCounter.RETRY_AFTER_SECONDS, failure.retryAfterSeconds());
        Duration wait = gate.obey(failure.retryAfterSeconds(), random.getAsDouble());
        log.warn("bot '{}': Telegram asked to wait {} s (429, flood control); nothing is sent meanwhile", bot,
                failure.retryAfterSeconds());
        return wait;
    }

    /** Confirms the recorded updates: getUpdates(offset, limit 1, timeout 0) deletes every update below offset. */
    private void confirmOnStop() {
        long offset = nextOffset;
        if (offset == confirmedOffset) {
            return;
        }
        try {
            ApiOutcome outcome = client.getUpdates(offset, 1, 0, config.allowedUpdates());
            if (outcome.ok()) {
                confirmedOffset = offset;
                log.info("bot '{}': confirmed updates below offset {} on stop", bot, offset);
            } else {
                log.warn("bot '{}': could not confirm offset {} on stop ({}); the next process receives those "
                        + "updates again and the inbox skips them", bot, offset, ((Failure) outcome).reason());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Marks the thread interruptible by {@link #stop}; false when stopping (the loop then ends). */
    private synchronized boolean enterBlocking() {
        if (stopping) {
            return false;
        }
        interruptible = true;
        return true;
    }

    private void leaveBlocking() {
        synchronized (this) {
            interruptible = false;
        }
        Thread.interrupted(); // a stop() that raced the end of the blocking part: its flag is already set
    }

    /**
     * Stops polling: a parked poll or a backoff ends at once, a database write in progress finishes; then what was
     * recorded is confirmed. Waits up to {@code deadline} and returns {@link #confirmedOffset()}.
     */
    public long stop(Duration deadline) throws InterruptedException {
        Thread running;
        synchronized (this) {
            stopping = true;
            running = thread;
            if (running != null && interruptible) {
                running.interrupt();
            }
        }
        if (running != null) {
            running.join(Math.max(1, deadline.toMillis()));
        }
        return confirmedOffset;
    }

    /** The offset Telegram last accepted: every update below it is deleted there. The handover's starting point. */
    public long confirmedOffset() {
        return confirmedOffset;
    }

    /** The offset the next poll sends: the last recorded update's id + 1. */
    public long recordedOffset() {
        return nextOffset;
    }

    /** Why polling is not healthy now (a 409, a flood wait, the inbox failing, the token rejected), if it is not. */
    public Optional<String> healthProblem() {
        String now = problem;
        if (now != null) {
            return Optional.of(now);
        }
        Duration flood = gate.remaining();
        return flood.isZero() ? Optional.empty() : Optional.of("Telegram's flood control: nothing is sent for "
                + Math.max(1, flood.toSeconds()) + " s more (429 retry_after)");
    }
}

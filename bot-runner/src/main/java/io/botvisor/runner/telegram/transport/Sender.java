package io.botvisor.runner.telegram.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.botvisor.runner.telegram.transport.ApiOutcome.Failure;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one bot's outbox, on its own thread ({@code telegram-sender}): takes the calls the {@link OutboxPort}
 * says are sendable (per chat in order), makes each within Telegram's limits ({@link SendLimiter}) and while the
 * bot's {@link FloodGate} is open, and records the outcome: sent with Telegram's message id; requeued with backoff
 * when it did not reach Telegram (or Telegram asked to wait, which closes the gate for the poller too); failed for
 * good on 400/403; uncertain when the response was lost (see {@link UncertainPolicy}); moved to the new chat on a
 * supergroup migration and sent there. {@link #wake()} when something was queued; otherwise it looks every
 * {@link SenderConfig#idlePoll()}.
 *
 * <p>Thread-safe: {@link #start}, {@link #wake} and {@link #stop} from any thread; everything else is the sender
 * thread's.
 */
public final class Sender {
    private static final Logger log = LoggerFactory.getLogger(Sender.class);

    private final String bot;
    private final BotApiClient client;
    private final OutboxPort port;
    private final FloodGate gate;
    private final SenderConfig config;
    private final TransportCounters counters;
    private final LongSupplier nanoTime;
    private final DoubleSupplier random;
    private final SendLimiter limiter;
    private final Backoff outboxDown;
    private final Pause pause = new Pause();
    /** Calls that did not reach Telegram: not before this time (monotonic nanos). */
    private final Map<Long, Long> retryAt = new HashMap<>();
    /** Groups that became supergroups: calls read before the outbox moved them go to the new chat. */
    private final Map<Long, Long> migrated = new HashMap<>();
    /** Outcomes Telegram gave that the outbox could not record yet, oldest first (sender thread only). */
    private final java.util.ArrayDeque<Runnable> owed = new java.util.ArrayDeque<>();
    private volatile boolean stopping;
    private Thread thread;

    public Sender(String bot, BotApiClient client, OutboxPort port, FloodGate gate, SenderConfig config,
            TransportCounters counters, LongSupplier nanoTime, DoubleSupplier random) {
        this.bot = bot;
        this.client = client;
        this.port = port;
        this.gate = gate;
        this.config = config;
        this.counters = counters;
        this.nanoTime = nanoTime;
        this.random = random;
        this.limiter = new SendLimiter(config.perChat(), config.groupPerMinute(), config.overallPerSecond());
        this.outboxDown = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2, random);
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("bot '" + bot + "': the sender was started already");
        }
        thread = new Thread(this::run, "telegram-sender");
        thread.setDaemon(true);
        thread.start();
    }

    /** Something was queued: look at the outbox now rather than at the next idle poll. */
    public void wake() {
        pause.wake();
    }

    /**
     * Stops after the send in flight (if any) is recorded; past {@code deadline} the thread is interrupted and a
     * send in flight is marked uncertain. Unsent calls stay in the outbox for the next process.
     */
    public void stop(Duration deadline) throws InterruptedException {
        Thread running;
        synchronized (this) {
            stopping = true;
            running = thread;
        }
        pause.wake();
        if (running != null) {
            running.join(Math.max(1, deadline.toMillis()));
            if (running.isAlive()) {
                running.interrupt();
                running.join(1000);
            }
        }
    }

    private void run() {
        try {
            while (!stopping) {
                gate.awaitOpen();
                long wait = round();
                if (wait > 0 && !stopping) {
                    pause.await(Duration.ofNanos(wait));
                }
            }
        } catch (InterruptedException e) {
            log.info("bot '{}': sender interrupted; unsent calls stay in the outbox", bot);
        }
    }

    /** One look at the outbox; returns how long to wait before the next (0: look again at once). */
    private long round() throws InterruptedException {
        List<OutgoingCall> calls;
        try {
            while (!owed.isEmpty()) {
                owed.peek().run(); // what Telegram answered, recorded now that the outbox is back
                owed.poll();
            }
            calls = port.sendable(config.batch());
        } catch (Exception e) {
            return outboxFailed(e);
        }
        long now = nanoTime.getAsLong();
        long wait = config.idlePoll().toNanos();
        boolean sentAny = false;
        for (OutgoingCall call : calls) {
            if (stopping || !gate.remaining().isZero()) {
                return 0;
            }
            Long notBefore = retryAt.get(call.id());
            long chat = chatOf(call.chatId());
            long due = Math.max(notBefore == null ? 0 : notBefore - now, limiter.delayNanos(chat, now));
            if (due > 0) {
                wait = Math.min(wait, due);
                continue;
            }
            try {
                send(call);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                return outboxFailed(e);
            }
            sentAny = true;
            now = nanoTime.getAsLong();
        }
        outboxDown.reset();
        limiter.gc(now);
        return sentAny ? 0 : wait;
    }

    private long outboxFailed(Exception e) {
        Duration wait = outboxDown.next();
        log.warn("bot '{}': the outbox is unavailable ({}); unsent calls stay, looking again in {} ms", bot,
                Redaction.describe(e), wait.toMillis());
        return Math.max(1, wait.toNanos());
    }

    private void send(OutgoingCall call) throws InterruptedException {
        port.sending(call.id());
        boolean retried = false;
        long chat = chatOf(call.chatId());
        while (true) {
            ApiOutcome outcome;
            try {
                outcome = attempt(call, chat);
            } catch (InterruptedException e) {
                settle(() -> port.uncertain(call.id(), "the bot stopped while the call was in flight"));
                counters.add(TransportCounter.UNCERTAIN_SENDS, 1);
                throw e;
            }
            if (outcome instanceof ApiOutcome.Ok ok) {
                retryAt.remove(call.id());
                Long messageId = BotApiClient.messageId(ok.result());
                settle(() -> port.sent(call.id(), messageId));
                counters.add(TransportCounter.SENDS, 1);
                return;
            }
            Failure failure = (Failure) outcome;
            switch (failure.kind()) {
                case MIGRATED -> {
                    if (chat == failure.migrateToChatId() || retried) {
                        fail(call, failure);
                        return;
                    }
                    long moved = port.migrateChat(chat, failure.migrateToChatId());
                    log.info("bot '{}': chat {} became supergroup {}; {} queued calls moved, sending there", bot,
                            chat, failure.migrateToChatId(), moved);
                    migrated.put(call.chatId(), failure.migrateToChatId());
                    migrated.put(chat, failure.migrateToChatId());
                    chat = failure.migrateToChatId();
                    retried = true;
                }
                case UNCERTAIN -> {
                    counters.add(TransportCounter.UNCERTAIN_SENDS, 1);
                    if (config.uncertainPolicy() == UncertainPolicy.RETRY_ONCE && !retried) {
                        log.warn("bot '{}': call {} ({}) may have been delivered ({}); sending it once more "
                                + "(policy RETRY_ONCE)", bot, call.id(), call.method(), failure.reason());
                        retried = true;
                        waitForLimit(chat);
                    } else {
                        retryAt.remove(call.id());
                        settle(() -> port.uncertain(call.id(), failure.reason()));
                        log.warn("bot '{}': call {} ({}) may have been delivered ({}); marked uncertain, not "
                                + "retried", bot, call.id(), call.method(), failure.reason());
                        return;
                    }
                }
                case BAD_REQUEST, FORBIDDEN -> {
                    fail(call, failure);
                    return;
                }
                case RETRY_AFTER -> {
                    counters.add(TransportCounter.RATE_LIMITED, 1);
                    counters.add(TransportCounter.RETRY_AFTER_SECONDS, failure.retryAfterSeconds());
                    gate.obey(failure.retryAfterSeconds(), random.getAsDouble());
                    settle(() -> port.requeue(call.id(), "Telegram asked to wait " + failure.retryAfterSeconds()
                            + " s (429)"));
                    log.warn("bot '{}': Telegram asked to wait {} s (429, flood control); nothing is sent meanwhile",
                            bot, failure.retryAfterSeconds());
                    return;
                }
                default -> {
                    // NOT_SENT, SERVER, and a token or conflict problem the poller reports: not delivered, retry.
                    Duration backoff = Backoff.delay(Duration.ofSeconds(1), config.retryBackoffMax(), 0.2,
                            call.attempts(), random.getAsDouble());
                    retryAt.put(call.id(), nanoTime.getAsLong() + backoff.toNanos());
                    settle(() -> port.requeue(call.id(), failure.kind() + " " + failure.reason()));
                    log.warn("bot '{}': call {} ({}) not delivered ({} {}); retrying in {} ms", bot, call.id(),
                            call.method(), failure.kind(), failure.reason(), backoff.toMillis());
                    return;
                }
            }
        }
    }

    /**
     * Records what became of a call in the outbox. When the outbox cannot take it (the database just went down),
     * the outcome is kept and recorded first thing once it is back: a call Telegram answered must not stay
     * {@code sending} — that would hold its chat's later replies back for the rest of the process.
     */
    private void settle(Runnable outcome) {
        try {
            outcome.run();
        } catch (RuntimeException e) {
            owed.add(outcome);
            throw e;
        }
    }

    private ApiOutcome attempt(OutgoingCall call, long chat) throws InterruptedException {
        String payload = chat == call.chatId() ? call.payloadJson() : withChat(call.payloadJson(), chat);
        try {
            return client.call(call.method(), payload);
        } finally {
            // Counted when the call ends, not when it starts: the next one then leaves after this one arrived, so
            // the spacing holds at Telegram's end too, whatever the network's jitter.
            limiter.record(chat, nanoTime.getAsLong());
        }
    }

    /** A second attempt within the same call still keeps the per-chat limit. */
    private void waitForLimit(long chat) throws InterruptedException {
        for (long d = limiter.delayNanos(chat, nanoTime.getAsLong()); d > 0;
                d = limiter.delayNanos(chat, nanoTime.getAsLong())) {
            gate.awaitOpen();
            pause.await(Duration.ofNanos(d));
        }
    }

    private void fail(OutgoingCall call, Failure failure) {
        retryAt.remove(call.id());
        settle(() -> port.failed(call.id(), failure.reason()));
        counters.add(TransportCounter.SENDS_FAILED, 1);
        log.warn("bot '{}': call {} ({}) refused by Telegram ({}); marked failed", bot, call.id(), call.method(),
                failure.reason());
    }

    private long chatOf(long chatId) {
        return migrated.getOrDefault(chatId, chatId);
    }

    private String withChat(String payloadJson, long chat) {
        try {
            JsonNode payload = client.json().readTree(payloadJson);
            if (payload instanceof ObjectNode object && object.has("chat_id")) {
                object.put("chat_id", chat);
                return object.toString();
            }
        } catch (Exception e) {
            log.warn("bot '{}': an outbox payload is not a JSON object ({}); sent as it is", bot,
                    Redaction.describe(e));
        }
        return payloadJson;
    }
}

package io.botvisor.runner.telegram.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.botvisor.runner.telegram.transport.ApiOutcome.Failure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one bot's outbox. Its thread ({@code telegram-sender}) takes the calls the {@link OutboxPort} says are
 * sendable (per chat in order) and hands each, within Telegram's limits ({@link SendLimiter}) and while the bot's
 * {@link FloodGate} is open, to one of up to {@link SenderConfig#concurrency()} workers ({@code telegram-send}, made
 * when needed and gone after a minute idle): calls to different chats are in flight at once, never two of one chat.
 * A worker marks the call sending, makes it and records the outcome: sent with Telegram's message id; requeued with backoff
 * when it did not reach Telegram (or Telegram asked to wait, which closes the gate for the poller too); failed for
 * good on 400/403; uncertain when the response was lost (see {@link UncertainPolicy}); moved to the new chat on a
 * supergroup migration and sent there. {@link #wake()} when something was queued; otherwise it looks every
 * {@link SenderConfig#idlePoll()}.
 *
 * <p>Thread-safe: {@link #start}, {@link #wake} and {@link #stop} from any thread. The limiter is held under its own
 * lock; the maps and queues below are concurrent; a worker's failure to reach the outbox is handed to the sender's
 * thread, which backs off.
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
    private final Map<Long, Long> retryAt = new ConcurrentHashMap<>();
    /** Calls sent once more after an uncertain send (retry-once), until their next outcome. */
    private final Set<Long> resentOnce = ConcurrentHashMap.newKeySet();
    /** Groups that became supergroups: calls read before the outbox moved them go to the new chat. */
    private final Map<Long, Long> migrated = new ConcurrentHashMap<>();
    /** Outcomes Telegram gave that the outbox could not record yet, oldest first. */
    private final Queue<Runnable> owed = new ConcurrentLinkedQueue<>();
    /** Chats with a call in flight (both the outbox's chat id and the one it is sent to). */
    private final Set<Long> busyChats = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final StrayClaims strays;
    /** Calls read from the outbox and not handed to a worker yet, oldest first (the sender's thread only). */
    private List<OutgoingCall> pending = new ArrayList<>();
    /** Something was queued since the last read ({@link #wake}). */
    private final AtomicBoolean queued = new AtomicBoolean(true);
    /** A call ended since the last read: its chat's next call may be sendable now. */
    private final AtomicBoolean ended = new AtomicBoolean();
    private long lastRead;
    /** The outbox failure a worker met, for the sender's thread to back off on. */
    private volatile Exception outboxError;
    private final ThreadPoolExecutor workers;
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
        this.strays = new StrayClaims(bot, port, nanoTime);
        this.outboxDown = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2, random);
        AtomicInteger made = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(config.concurrency(), config.concurrency(), 1, TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "telegram-send-" + made.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        workers.allowCoreThreadTimeOut(true); // an idle bot keeps no worker threads
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
        queued.set(true);
        pause.wake();
    }

    /**
     * Stops after the sends in flight (if any) are recorded; past {@code deadline} the threads are interrupted and a
     * send still in flight stays sending: the next process's start finds it and marks it uncertain (and resends it
     * under retry-once). Unsent calls stay in the outbox for the next process.
     */
    public void stop(Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
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
        workers.shutdown();
        if (!workers.awaitTermination(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            workers.shutdownNow(); // interrupts: a send in flight stays sending, for the next start
            workers.awaitTermination(1, TimeUnit.SECONDS);
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

    /**
     * One turn: reads the outbox when the calls read last time hold nothing to send now and something happened
     * since (a call was queued or ended, or the idle poll passed), then hands every call that is due to a free
     * worker; returns how long to wait before the next turn. A worker that finishes wakes this thread, so a call held
     * back because its chat was busy or every worker was taken goes as soon as that ends. Reading only when the last
     * read is used up keeps a backlog from being read again for every call sent.
     */
    private long round() {
        try {
            Exception failed = outboxError;
            if (failed != null) {
                outboxError = null;
                throw failed;
            }
            for (Runnable outcome; (outcome = owed.peek()) != null; ) {
                try {
                    outcome.run(); // what Telegram answered, recorded now that the outbox is back
                } catch (RuntimeException e) {
                    // Still owed, recorded at a later turn; meanwhile the calls that can go (the journal's, while
                    // the database is down) still go.
                    break;
                }
                owed.remove(outcome);
            }
            long now = nanoTime.getAsLong();
            if (strays.check(now, owed::isEmpty) > 0) {
                queued.set(true);
            }
            if (inFlight.get() < config.concurrency() && !anySendable(now) && (queued.get() || ended.get()
                    || now - lastRead >= config.idlePoll().toNanos())) {
                queued.set(false); // before the read: what is queued meanwhile is read next time
                ended.set(false);
                pending = new ArrayList<>(port.sendable(config.batch()));
                lastRead = now;
            }
        } catch (Exception e) {
            pending = new ArrayList<>();
            queued.set(true); // read again once the outbox is back
            return outboxFailed(e);
        }
        long now = nanoTime.getAsLong();
        long wait = config.idlePoll().toNanos() - (now - lastRead);
        if (wait <= 0) {
            // The idle poll is due but no read was made: every worker is taken, or a read call can go now. A worker
            // that ends wakes this thread; looking again at once would spin while the calls in flight last.
            wait = config.idlePoll().toNanos();
        }
        for (Iterator<OutgoingCall> it = pending.iterator(); it.hasNext(); ) {
            if (stopping || !gate.remaining().isZero() || outboxError != null) {
                return 0;
            }
            if (inFlight.get() >= config.concurrency()) {
                break; // every worker is taken; the first to finish wakes us
            }
            OutgoingCall call = it.next();
            long chat = chatOf(call.chatId());
            if (busy(call, chat)) {
                continue; // its chat's call in flight wakes us when it ends
            }
            long due;
            synchronized (limiter) {
                due = dueIn(call, chat, now);
                if (due <= 0) {
                    limiter.begin(chat, now);
                }
            }
            if (due > 0) {
                wait = Math.min(wait, due);
                continue;
            }
            it.remove();
            dispatch(call, chat, now);
        }
        outboxDown.reset();
        synchronized (limiter) {
            limiter.gc(now);
        }
        return wait;
    }

    /** Whether a call read last time could be handed to a worker now. */
    private boolean anySendable(long now) {
        synchronized (limiter) {
            for (OutgoingCall call : pending) {
                long chat = chatOf(call.chatId());
                if (!busy(call, chat) && dueIn(call, chat, now) <= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a call of {@code call}'s chat (as in the outbox, or {@code chat} it is sent to) is in flight. */
    private boolean busy(OutgoingCall call, long chat) {
        return busyChats.contains(call.chatId()) || busyChats.contains(chat);
    }

    /** Nanoseconds until {@code call} may go (its retry backoff, the limits); caller holds the limiter's lock. */
    private long dueIn(OutgoingCall call, long chat, long now) {
        Long notBefore = retryAt.get(call.id());
        return Math.max(notBefore == null ? 0 : notBefore - now, limiter.delayNanos(chat, now));
    }

    private void dispatch(OutgoingCall call, long chat, long began) {
        busyChats.add(call.chatId());
        busyChats.add(chat);
        strays.began(call.id());
        inFlight.incrementAndGet();
        workers.execute(() -> {
            try {
                send(call, chat, began);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                outboxError = e; // the sender's thread backs off; the row stays (or its outcome is owed)
            } finally {
                busyChats.remove(call.chatId());
                busyChats.remove(chat);
                busyChats.remove(chatOf(call.chatId())); // where it went if the chat migrated meanwhile
                strays.ended(call.id());
                inFlight.decrementAndGet();
                ended.set(true);
                pause.wake();
            }
        });
    }

    private long outboxFailed(Exception e) {
        Duration wait = outboxDown.next();
        log.warn("bot '{}': the outbox is unavailable ({}); unsent calls stay, looking again in {} ms", bot,
                Redaction.describe(e), wait.toMillis());
        return Math.max(1, wait.toNanos());
    }

    /** Makes one call (on a worker): {@code began} is when its place in the limiter was taken. */
    private void send(OutgoingCall call, long chat, long began) throws InterruptedException {
        boolean claimed = false;
        try {
            claimed = port.sending(call.id());
        } catch (RuntimeException e) {
            strays.claimFailed(); // it may have committed: its call would stay sending, never made
            throw e;
        } finally {
            if (!claimed) {
                synchronized (limiter) {
                    limiter.cancel(chat, began); // not made
                }
            }
        }
        if (!claimed) {
            // Read before its last attempt ended, so not queued any more — or an earlier claim that failed for its
            // caller committed meanwhile.
            strays.claimFailed();
            return;
        }
        boolean movedChat = false; // sent on to the supergroup its chat became
        while (true) {
            ApiOutcome outcome;
            try {
                outcome = attempt(call, chat, began);
            } catch (InterruptedException e) {
                // The bot stops with the call in flight: it stays sending, as after a crash, and the next process's
                // start applies the policy to it (an uncertain call is the policy's last word: it is not retried).
                throw e;
            }
            if (outcome instanceof ApiOutcome.Ok ok) {
                retryAt.remove(call.id());
                resentOnce.remove(call.id());
                Long messageId = BotApiClient.messageId(ok.result());
                settle(() -> port.sent(call.id(), messageId));
                counters.add(TransportCounter.SENDS, 1);
                return;
            }
            Failure failure = (Failure) outcome;
            switch (failure.kind()) {
                case MIGRATED -> {
                    if (chat == failure.migrateToChatId() || movedChat) {
                        fail(call, failure);
                        return;
                    }
                    long moved = port.migrateChat(chat, failure.migrateToChatId());
                    log.info("bot '{}': chat {} became supergroup {}; {} queued calls moved, sending there", bot,
                            chat, failure.migrateToChatId(), moved);
                    migrated.put(call.chatId(), failure.migrateToChatId());
                    migrated.put(chat, failure.migrateToChatId());
                    chat = failure.migrateToChatId();
                    busyChats.add(chat); // freed by dispatch, through chatOf
                    movedChat = true;
                    began = waitForLimit(chat);
                }
                case UNCERTAIN -> {
                    counters.add(TransportCounter.UNCERTAIN_SENDS, 1);
                    if (config.uncertainPolicy() == UncertainPolicy.RETRY_ONCE && !movedChat && !call.resent()
                            && resentOnce.add(call.id())) {
                        // Queued again as its chat's next call, marked resent for good, and claimed again (one more
                        // attempt, counted): whoever reads it next — this sender after a 429, the next process after
                        // a crash, the outbox row the journal's replay gives it — sees it resent, and a second doubt
                        // is final. (The set also covers a read made before this requeue, which says not resent.)
                        log.warn("bot '{}': call {} ({}) may have been delivered ({}); sending it once more "
                                + "(policy RETRY_ONCE)", bot, call.id(), call.method(), failure.reason());
                        settle(() -> port.resendOnce(call.id()));
                        return;
                    } else {
                        resentOnce.remove(call.id());
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

    private ApiOutcome attempt(OutgoingCall call, long chat, long began) throws InterruptedException {
        String payload = chat == call.chatId() ? call.payloadJson() : withChat(call.payloadJson(), chat);
        try {
            // The turn handed this call out with the gate open, but its claim (a commit) can take long: another
            // worker's 429 may have closed it meanwhile. Nothing is sent into Telegram's flood wait.
            try {
                gate.awaitOpen();
            } catch (InterruptedException e) {
                // Stopping before the request: never made, so queued again rather than left to look in flight.
                try {
                    settle(() -> port.requeue(call.id(), "not sent: the sender stopped during Telegram's flood wait"));
                } catch (RuntimeException owed) {
                    // owed: recorded by a later turn if there is one; otherwise the next start finds it sending
                }
                throw e;
            }
            return client.call(call.method(), payload);
        } finally {
            // Counted from when the call ends, not when it starts: the next one then leaves after this one arrived,
            // so the spacing holds at Telegram's end too, whatever the network's jitter.
            synchronized (limiter) {
                limiter.end(chat, began, nanoTime.getAsLong());
            }
        }
    }

    /**
     * A second attempt within the same call still keeps the limits: waits (on this worker) until a send to
     * {@code chat} is allowed and takes its place; returns when that was.
     */
    private long waitForLimit(long chat) throws InterruptedException {
        while (true) {
            gate.awaitOpen();
            long now = nanoTime.getAsLong();
            long d;
            synchronized (limiter) {
                d = limiter.delayNanos(chat, now);
                if (d <= 0) {
                    limiter.begin(chat, now);
                    return now;
                }
            }
            TimeUnit.NANOSECONDS.sleep(d);
        }
    }

    private void fail(OutgoingCall call, Failure failure) {
        retryAt.remove(call.id());
        resentOnce.remove(call.id());
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

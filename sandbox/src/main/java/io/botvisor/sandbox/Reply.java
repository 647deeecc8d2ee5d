package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The answer to one exchange, given once, from any thread: written on the server's pool (never on the caller's, which
 * may hold a bot's lock), held back by a delay fault, or replaced by a closed connection by a drop fault. Records the
 * outcome in the call's record entry (none for control answers). Thread-safe.
 */
final class Reply implements BotState.Responder {

    private final HttpExchange exchange;
    private final CallRecord record;
    private final CallRecord.Entry call;
    private final Fault fault;
    private final Executor pool;
    private final SandboxClock clock;
    private final ObjectMapper json;
    private final Consumer<String> verboseLog;
    private final AtomicBoolean answered = new AtomicBoolean();
    /** Set by {@link #tooManyRequests}: the bot whose 429 window this answer opens, and its length. */
    private volatile Bot windowOf;
    private volatile int windowSeconds;

    Reply(HttpExchange exchange, CallRecord record, CallRecord.Entry call, Fault fault, Executor pool,
          SandboxClock clock, ObjectMapper json, Consumer<String> verboseLog) {
        this.exchange = exchange;
        this.record = record;
        this.call = call;
        this.fault = fault;
        this.pool = pool;
        this.clock = clock;
        this.json = json;
        this.verboseLog = verboseLog;
    }

    @Override
    public void answer(ApiResult result, String label) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        if (fault != null && fault.kind() == Fault.Kind.DROP_AFTER_APPLYING) {
            run(() -> drop(result.status(), Delivery.DROPPED_AFTER_APPLYING, fault.label()));
        } else if (fault != null && fault.kind() == Fault.Kind.DELAY) {
            clock.schedule(clock.millis() + fault.delayMillis(), () -> run(() -> write(result, label)));
        } else {
            run(() -> write(result, label));
        }
    }

    /**
     * Answers 429 {@code retry_after} {@code seconds} and opens the bot's window as the answer starts to leave the
     * server (not when the call arrived: under load the answer may wait on the pool); closes it again if the answer was
     * not delivered.
     */
    void tooManyRequests(Bot bot, int seconds) {
        windowOf = bot;
        windowSeconds = seconds;
        answer(BotApi.tooManyRequests(seconds, json), null);
    }

    /** Closes the connection without a response: the client sees it reset, the record says what was applied. */
    void dropBeforeApplying() {
        if (answered.compareAndSet(false, true)) {
            run(() -> drop(0, Delivery.DROPPED_BEFORE_APPLYING, fault == null ? null : fault.label()));
        }
    }

    private void run(Runnable task) {
        try {
            pool.execute(task);
        } catch (RejectedExecutionException closing) {
            exchange.close(); // the server is stopping: the client sees its connection end, as at a real shutdown
        }
    }

    // The record is written before the client can see the outcome, so that a client that got its answer finds it in
    // the record; a write that then fails corrects it to UNDELIVERED.
    private void drop(int status, Delivery delivery, String label) {
        record(status, delivery, label);
        // Closing an exchange whose headers were never sent closes the connection itself (ExchangeImpl.close).
        exchange.close();
        verbose(status, delivery);
    }

    private void write(ApiResult result, String label) {
        String recorded = label != null ? label : fault != null ? fault.label() : null;
        Delivery delivery = Delivery.DELIVERED;
        long writing = Long.MIN_VALUE;
        try {
            byte[] body = result.envelope() != null ? json.writeValueAsBytes(result.envelope())
                    : result.rawBody().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", result.contentType());
            record(result.status(), Delivery.DELIVERED, recorded);
            writing = clock.millis();
            openWindow(writing);
            exchange.sendResponseHeaders(result.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            delivery = Delivery.UNDELIVERED;
            record(result.status(), delivery, recorded);
            if (writing != Long.MIN_VALUE) {
                closeWindow(writing);
            }
        } finally {
            exchange.close();
        }
        verbose(result.status(), delivery);
    }

    // Before the first byte leaves: a client that got the 429 and called again at once finds the window open.
    private void openWindow(long at) {
        if (windowOf != null) {
            windowOf.retryAfter(at, windowSeconds, call.seq, call.method);
        }
    }

    private void closeWindow(long at) {
        if (windowOf != null) {
            windowOf.retryAfterUndelivered(call.seq, at, windowSeconds);
        }
    }

    private void record(int status, Delivery delivery, String label) {
        if (record != null) {
            record.close(call, status, clock.millis(), delivery, label);
        }
    }

    private void verbose(int status, Delivery delivery) {
        if (verboseLog != null) {
            verboseLog.accept("sandbox: bot " + call.botId + " " + call.method + " -> " + status
                    + (delivery == Delivery.DELIVERED ? "" : " (" + delivery + ")"));
        }
    }
}

package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Every call the server saw, in arrival order, with what it was answered and whether the answer arrived: what the
 * tests and the chaos suite check ("no two pollers of a token at once", "no call inside a 429 window", duplicate
 * sends). A long-running server keeps only the last calls ({@link SandboxConfig#recordLimit()}); {@link Call#seq()}
 * still counts all. Thread-safe (one lock); readers get immutable {@link Call} snapshots.
 */
public final class CallRecord {

    /** A call being answered; its answer fields are set once, by the server. */
    static final class Entry {
        final long seq;
        final long botId;
        final String method;
        final JsonNode params;
        final long arrivedAt;
        final boolean insideRetryWindow;
        int status;
        long answeredAt;
        Delivery delivery = Delivery.PENDING;
        String label;
        boolean handled;
        long openTick;
        long closeTick = Long.MAX_VALUE;

        Entry(long seq, long botId, String method, JsonNode params, long arrivedAt, boolean insideRetryWindow) {
            this.seq = seq;
            this.botId = botId;
            this.method = method;
            this.params = params;
            this.arrivedAt = arrivedAt;
            this.insideRetryWindow = insideRetryWindow;
        }
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final int limit;
    private long seq;
    private long tick;

    /** A record of every call ({@code limit} 0) or of the last {@code limit} calls. */
    CallRecord(int limit) {
        this.limit = limit;
    }

    synchronized Entry open(long botId, String method, JsonNode params, long arrivedAt, boolean insideRetryWindow) {
        Entry e = new Entry(++seq, botId, method, params, arrivedAt, insideRetryWindow);
        e.openTick = ++tick;
        entries.addLast(e);
        if (limit > 0 && entries.size() > limit) {
            entries.pollFirst();
        }
        return e;
    }

    synchronized void close(Entry e, int status, long answeredAt, Delivery delivery, String label) {
        e.status = status;
        e.answeredAt = answeredAt;
        e.delivery = delivery;
        e.closeTick = ++tick;
        if (label != null) {
            e.label = label;
        }
    }

    /** The server finished handling the call: it was answered, or it is parked. */
    synchronized void handled(Entry e) {
        e.handled = true;
    }

    /**
     * How many calls of the bot and method the server finished handling (answered or parked): a test that parks a
     * poll waits for this before it moves a {@link ManualClock}, so the poll's deadline is set from the right time.
     */
    public synchronized int handledCount(long botId, String method) {
        int n = 0;
        for (Entry e : entries) {
            if (e.handled && e.botId == botId && e.method.equalsIgnoreCase(method)) {
                n++;
            }
        }
        return n;
    }

    /** Every call so far. */
    public synchronized List<Call> calls() {
        return select(c -> true);
    }

    /** The calls of one bot (by the digits of its token). */
    public List<Call> calls(long botId) {
        return select(c -> c.botId() == botId);
    }

    /** The calls of one bot and method (case-insensitive, as the server matches methods). */
    public List<Call> calls(long botId, String method) {
        return select(c -> c.botId() == botId && c.method().equalsIgnoreCase(method));
    }

    /** Calls that arrived while a 429 given to the same bot still ran: each one a retry_after violation. */
    public List<Call> retryAfterViolations() {
        return select(Call::insideRetryWindow);
    }

    /**
     * The most getUpdates calls of one bot that were open (arrived, not yet answered) at the same moment; more than
     * one means two pollers overlapped. Order comes from the record's own sequence of arrivals and answers, not from
     * millisecond times (two polls one after the other often share a millisecond).
     */
    public synchronized int maxConcurrentPolls(long botId) {
        List<long[]> spans = new ArrayList<>();
        for (Entry e : entries) {
            if (e.botId == botId && e.method.equalsIgnoreCase("getUpdates")) {
                spans.add(new long[] {e.openTick, e.closeTick});
            }
        }
        int max = 0;
        for (long[] s : spans) {
            int open = 0;
            for (long[] o : spans) {
                if (o[0] <= s[0] && s[0] < o[1]) {
                    open++;
                }
            }
            max = Math.max(max, open);
        }
        return max;
    }

    private synchronized List<Call> select(Predicate<Call> which) {
        List<Call> out = new ArrayList<>();
        for (Entry e : entries) {
            Call c = new Call(e.seq, e.botId, e.method, e.params, e.arrivedAt, e.status, e.answeredAt, e.delivery,
                    e.insideRetryWindow, e.label);
            if (which.test(c)) {
                out.add(c);
            }
        }
        return out;
    }
}

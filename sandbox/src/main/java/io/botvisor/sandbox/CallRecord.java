package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Every call the server saw, in arrival order, with what it was answered and whether the answer arrived: what the
 * tests and the chaos suite check ("no two pollers of a token at once", "no call inside a 429 window", duplicate
 * sends). A long-running server keeps only the last calls ({@link SandboxConfig#recordLimit()}); {@link Call#seq()}
 * still counts all, and so do the checks kept as calls come and go ({@link CallChecks}, {@link #maxConcurrentPolls},
 * {@link #handledCount}). Thread-safe (one lock); readers get immutable {@link Call} snapshots.
 */
public final class CallRecord {

    /** A call being answered; its answer fields are set once, by the server. */
    static final class Entry {
        final long seq;
        final long botId;
        final String method;
        final JsonNode params;
        final long arrivedAt;
        /** Null, or how the call broke a 429's window ({@link Bot#insideRetryWindow}). */
        final String retryWindow;
        /** The connection's ports (0: unknown), to tell whether its client is still there ({@link ClientProbe}). */
        final int serverPort;
        final int clientPort;
        int status;
        long answeredAt;
        Delivery delivery = Delivery.PENDING;
        String label;
        boolean handled;
        long openTick;
        boolean closed;
        /** A poll whose client had gone when another poll of its bot arrived: not a poller any more. */
        boolean abandoned;
        /** A poll still open when its own process polled again (an interrupted poll the client did not close). */
        boolean superseded;

        Entry(long seq, long botId, String method, JsonNode params, long arrivedAt, String retryWindow,
              int serverPort, int clientPort) {
            this.seq = seq;
            this.botId = botId;
            this.method = method;
            this.params = params;
            this.arrivedAt = arrivedAt;
            this.retryWindow = retryWindow;
            this.serverPort = serverPort;
            this.clientPort = clientPort;
        }
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final int limit;
    private final CallChecks checks = new CallChecks();
    /** Per bot: getUpdates open now, and the most open at once (all of them, abandoned ones too). */
    private final Map<Long, long[]> polls = new HashMap<>();
    /** Per bot and method (lower case): calls handled. */
    private final Map<String, Integer> handled = new HashMap<>();
    private long seq;

    /** A record of every call ({@code limit} 0) or of the last {@code limit} calls. */
    CallRecord(int limit) {
        this.limit = limit;
    }

    Entry open(long botId, String method, JsonNode params, long arrivedAt, String retryWindow) {
        return open(botId, method, params, arrivedAt, retryWindow, 0, 0);
    }

    Entry open(long botId, String method, JsonNode params, long arrivedAt, String retryWindow,
               int serverPort, int clientPort) {
        // A poll arriving while others of its bot are open: who their clients are is read from /proc before the lock
        // is taken (it may take milliseconds, and every call of every bot waits for this lock).
        Map<Integer, ClientProbe.Client> probed = Map.of();
        if (method.equalsIgnoreCase("getUpdates")) {
            Set<Integer> ports = livePollPorts(botId);
            if (!ports.isEmpty()) {
                ports.add(clientPort);
                probed = ClientProbe.of(serverPort, ports);
            }
        }
        synchronized (this) {
            Entry e = new Entry(++seq, botId, method, params, arrivedAt, retryWindow, serverPort, clientPort);
            entries.addLast(e);
            if (limit > 0 && entries.size() > limit) {
                entries.pollFirst();
            }
            if (isPoll(e)) {
                long[] p = polls.computeIfAbsent(botId, id -> new long[2]);
                p[0]++;
                p[1] = Math.max(p[1], p[0]);
            }
            checks.opened(e, probed);
            return e;
        }
    }

    private synchronized Set<Integer> livePollPorts(long botId) {
        return checks.livePollPorts(botId);
    }

    private static boolean isPoll(Entry e) {
        return e.method.equalsIgnoreCase("getUpdates");
    }

    synchronized void close(Entry e, int status, long answeredAt, Delivery delivery, String label) {
        if (e.closed) {
            // A write that failed after the record said DELIVERED: only the delivery is corrected.
            Delivery before = e.delivery;
            e.delivery = delivery;
            checks.corrected(e, before);
            return;
        }
        e.closed = true;
        e.status = status;
        e.answeredAt = answeredAt;
        e.delivery = delivery;
        if (label != null) {
            e.label = label;
        }
        if (isPoll(e)) {
            polls.get(e.botId)[0]--;
        }
        checks.closed(e);
    }

    /** A call got an injected fault (counted by the fault's label for the verdict). */
    synchronized void faulted(String label) {
        checks.faulted(label);
    }

    /** The server finished handling the call: it was answered, or it is parked. */
    synchronized void handled(Entry e) {
        e.handled = true;
        handled.merge(handledKey(e.botId, e.method), 1, Integer::sum);
    }

    /** Unknown methods share one key: a client calling made-up names must not grow the map. */
    private static String handledKey(long botId, String method) {
        return botId + "/" + (BotApi.unknown(method) ? "?" : method.toLowerCase(Locale.ROOT));
    }

    /**
     * How many calls of the bot and method the server finished handling (answered or parked): a test that parks a
     * poll waits for this before it moves a {@link ManualClock}, so the poll's deadline is set from the right time.
     */
    public synchronized int handledCount(long botId, String method) {
        return handled.getOrDefault(handledKey(botId, method), 0);
    }

    /** The checks' figures now. */
    synchronized CallChecks.Snapshot checks() {
        return checks.snapshot();
    }

    /** Starts the checks' counts afresh ({@link SandboxServer#resetVerdict()}). */
    synchronized void resetChecks() {
        checks.reset();
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
     * The most getUpdates calls of one bot that were open (arrived, not yet answered) at the same moment, over every
     * call so far (not only those the record keeps); more than one means two polls overlapped. Order comes from the
     * record's own sequence of arrivals and answers, not from millisecond times (two polls one after the other often
     * share a millisecond). Abandoned polls count here; the verdict's "pollers" check leaves them out.
     */
    public synchronized int maxConcurrentPolls(long botId) {
        long[] p = polls.get(botId);
        return p == null ? 0 : (int) p[1];
    }

    private synchronized List<Call> select(Predicate<Call> which) {
        List<Call> out = new ArrayList<>();
        for (Entry e : entries) {
            Call c = new Call(e.seq, e.botId, e.method, e.params, e.arrivedAt, e.status, e.answeredAt, e.delivery,
                    e.retryWindow != null, e.label, e.clientPort);
            if (which.test(c)) {
                out.add(c);
            }
        }
        return out;
    }
}

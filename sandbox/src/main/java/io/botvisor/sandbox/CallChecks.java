package io.botvisor.sandbox;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The verdict's checks on calls, kept as each call opens and closes, so that they cover every call of a run however
 * long, while the record keeps only the last ones: no two pollers of one token at any moment, no call inside a 429's
 * window, the 409s given, the uncertain sends, the faults injected. Per bot, a few counters and the polls open now.
 * Owned by the {@link CallRecord} and called under its lock.
 *
 * <p>Two polls of one bot open at once are two pollers only when both clients are there and are two processes: a
 * poll whose client hung up (a killed process: {@link ClientProbe}) is abandoned, and two polls of one process (an
 * interrupted poll the JDK client has not closed, then the same process's next one) are one poller.
 */
final class CallChecks {

    /** Offending items kept per check: enough to diagnose a failing run, bounded however many there are. */
    static final int FIRST = 10;

    /** One bot's figures. */
    static final class Tally {
        long calls;
        long maxConcurrentPolls;
        long overlaps;
        long abandonedPolls;
        long selfOverlaps;
        long retryAfterViolations;
        long conflicts;
        long conflictsToGoneClients;
        long conflictsToSameProcess;
        long uncertainSends;
        /** The bot's polls open now whose client is there. */
        final List<CallRecord.Entry> live = new ArrayList<>(2);

        Tally copy() {
            Tally c = new Tally();
            c.calls = calls;
            c.maxConcurrentPolls = maxConcurrentPolls;
            c.overlaps = overlaps;
            c.abandonedPolls = abandonedPolls;
            c.selfOverlaps = selfOverlaps;
            c.retryAfterViolations = retryAfterViolations;
            c.conflicts = conflicts;
            c.conflictsToGoneClients = conflictsToGoneClients;
            c.conflictsToSameProcess = conflictsToSameProcess;
            c.uncertainSends = uncertainSends;
            return c;
        }
    }

    private final Map<Long, Tally> bots = new TreeMap<>();
    private final Map<String, Long> faults = new TreeMap<>();
    private final List<Offence> overlaps = new ArrayList<>();
    private final List<Offence> retryAfter = new ArrayList<>();
    private final List<Offence> conflicts = new ArrayList<>();

    private Tally tally(long botId) {
        return bots.computeIfAbsent(botId, id -> new Tally());
    }

    /** The client ports of the bot's polls open now whose client is there, as far as known. */
    Set<Integer> livePollPorts(long botId) {
        Tally t = bots.get(botId);
        Set<Integer> ports = new HashSet<>();
        if (t != null) {
            t.live.forEach(e -> ports.add(e.clientPort));
        }
        return ports;
    }

    /**
     * A call opened; {@code probed} holds the clients of the bot's other open polls (and of this one) by client port,
     * read before the caller took its lock; one opened since is probed here.
     */
    void opened(CallRecord.Entry e, Map<Integer, ClientProbe.Client> probed) {
        Tally t = tally(e.botId);
        t.calls++;
        if (e.retryWindow != null) {
            t.retryAfterViolations++;
            add(retryAfter, new Offence(e.botId, 0, 0, e.seq, e.arrivedAt, e.method
                    + " arrived inside the window of a 429's retry_after: " + e.retryWindow));
        }
        if (!e.method.equalsIgnoreCase("getUpdates")) {
            return;
        }
        ClientProbe.Client client = probed.get(e.clientPort);
        for (CallRecord.Entry other : new ArrayList<>(t.live)) {
            ClientProbe.Client earlier = probed.get(other.clientPort);
            if (earlier == null) {
                earlier = ClientProbe.of(other.serverPort, other.clientPort);
            }
            if (earlier.gone()) {
                other.abandoned = true;
                t.live.remove(other);
                t.abandonedPolls++;
                continue;
            }
            client = client != null ? client : ClientProbe.of(e.serverPort, e.clientPort);
            if (earlier.pid() != 0 && earlier.pid() == client.pid()) {
                other.superseded = true;
                t.selfOverlaps++;
                continue;
            }
            t.overlaps++;
            add(overlaps, new Offence(e.botId, 0, 0, e.seq, e.arrivedAt, "getUpdates #" + e.seq + who(client)
                    + " arrived while getUpdates #" + other.seq + who(earlier) + " was open"));
        }
        t.live.add(e);
        t.maxConcurrentPolls = Math.max(t.maxConcurrentPolls, t.live.size());
    }

    private static String who(ClientProbe.Client c) {
        return c.pid() != 0 ? " (pid " + c.pid() + ")" : "";
    }

    void faulted(String label) {
        faults.merge(label, 1L, Long::sum);
    }

    void closed(CallRecord.Entry e) {
        Tally t = tally(e.botId);
        t.live.remove(e);
        if (e.status == 409) {
            t.conflicts++;
            if (e.abandoned) {
                t.conflictsToGoneClients++;
            } else if (e.superseded) {
                // The design's "late 409 answering the old process's abandoned poll": its own next poll ended it.
                t.conflictsToSameProcess++;
            } else {
                add(conflicts, new Offence(e.botId, 0, 0, e.seq, e.answeredAt, e.method + " answered 409"
                        + (e.label != null ? " (" + e.label + ")" : "")));
            }
        }
        if (uncertain(e, e.delivery)) {
            t.uncertainSends++;
        }
    }

    /** A send the bot cannot know was applied: applied, and its answer never reached the bot. */
    private static boolean uncertain(CallRecord.Entry e, Delivery delivery) {
        return e.method.equalsIgnoreCase("sendMessage") && e.status == 200
                && (delivery == Delivery.DROPPED_AFTER_APPLYING || delivery == Delivery.UNDELIVERED);
    }

    /** The call's delivery turned out otherwise after it closed (its answer could not be written). */
    void corrected(CallRecord.Entry e, Delivery before) {
        if (!uncertain(e, before) && uncertain(e, e.delivery)) {
            tally(e.botId).uncertainSends++;
        }
    }

    private static void add(List<Offence> first, Offence o) {
        if (first.size() < FIRST) {
            first.add(o);
        }
    }

    /** Starts the counts afresh; the polls open now stay open. */
    void reset() {
        for (Tally t : bots.values()) {
            t.calls = 0;
            t.maxConcurrentPolls = t.live.size();
            t.overlaps = 0;
            t.abandonedPolls = 0;
            t.selfOverlaps = 0;
            t.retryAfterViolations = 0;
            t.conflicts = 0;
            t.conflictsToGoneClients = 0;
            t.conflictsToSameProcess = 0;
            t.uncertainSends = 0;
        }
        faults.clear();
        overlaps.clear();
        retryAfter.clear();
        conflicts.clear();
    }

    /** Copies of the figures, for a verdict. */
    Snapshot snapshot() {
        Map<Long, Tally> perBot = new LinkedHashMap<>();
        bots.forEach((id, t) -> perBot.put(id, t.copy()));
        return new Snapshot(perBot, new TreeMap<>(faults), List.copyOf(overlaps), List.copyOf(retryAfter),
                List.copyOf(conflicts));
    }

    /** The figures at one moment (the tallies are copies without their open polls). */
    record Snapshot(Map<Long, Tally> perBot, Map<String, Long> faults, List<Offence> overlaps,
                    List<Offence> retryAfter, List<Offence> conflicts) {
    }
}

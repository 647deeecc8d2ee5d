package io.botvisor.runner.telegram.runtime;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The chats that may have calls in the outbox table not sent yet. While the database is down the journal's calls of
 * those chats wait ({@link Offline#sendable}): they were queued after the table's, and a chat's replies keep their
 * order across an outage. Known from the sender's last read of the table ({@link #read}: each chat with how many) and
 * from every handler (or replay) transaction that queued calls there since — from the moment it queued one, before
 * its commit: a commit whose answer is lost with the database may have put the calls there all the same. A chat is let
 * go when a read that began after its last transaction ended shows it has nothing left, or when the sender finished
 * every call that read counted ({@link #finished}: a reply in flight when the database went down lets its chat go
 * on from the journal once Telegram answered it). Before the first read every chat is held (a process that starts
 * while the database is down cannot know what its predecessors left). Thread-safe.
 */
final class OutboxChats {
    /** More chats with unsent calls than this in one read: every chat is held until a read finds fewer. */
    static final int MAX = 10_000;
    /** {@link Known#left} of a chat a transaction queued calls to: how many is not known until the next read. */
    private static final int UNCOUNTED = -1;

    /** When (a {@link #seq} value) a chat was last known to have unsent calls, and how many are left (or uncounted). */
    private static final class Known {
        final long at;
        int left;

        Known(long at, int left) {
            this.at = at;
            this.left = left;
        }
    }

    /** Chat → handler transactions in progress that queued calls to it. */
    private final Map<Long, Integer> open = new HashMap<>();
    private final Map<Long, Known> known = new HashMap<>();
    private long seq;
    private boolean everyChat = true;

    /** A transaction queued a call to {@code chat} in the table (not committed yet). */
    synchronized void opened(long chat) {
        open.merge(chat, 1, Integer::sum);
    }

    /** A transaction that {@link #opened} these chats ended (committed, rolled back, or its answer lost). */
    synchronized void closed(Collection<Long> chats) {
        long now = ++seq;
        for (long chat : chats) {
            open.computeIfPresent(chat, (c, n) -> n == 1 ? null : n - 1);
            known.put(chat, new Known(now, UNCOUNTED));
        }
    }

    /**
     * A transaction that {@link #opened} these chats rolled back before it asked for its commit: none of its calls can
     * be in the table, so it holds nothing (a transaction whose commit was asked for and failed may have committed: it
     * ends with {@link #closed}). Without this, every handler transaction a database outage cut held its chat's
     * journal replies until the replay.
     */
    synchronized void rolledBack(Collection<Long> chats) {
        for (long chat : chats) {
            open.computeIfPresent(chat, (c, n) -> n == 1 ? null : n - 1);
        }
    }

    /** Before a read of the table: what it returns goes to {@link #read} with this mark. */
    synchronized long mark() {
        return ++seq;
    }

    /**
     * A read that began at {@code mark} found these chats with this many calls queued or sending (at most {@link #MAX}
     * + 1 chats: more than {@link #MAX} holds every chat). Chats known from before the mark are known from this read
     * now; one a transaction ended with since stays uncounted.
     */
    synchronized void read(long mark, Map<Long, Integer> unsent) {
        everyChat = unsent.size() > MAX;
        known.values().removeIf(k -> k.at < mark);
        unsent.forEach((chat, n) -> known.putIfAbsent(chat, new Known(mark, n)));
    }

    /**
     * The sender is done with one of {@code chat}'s calls that a read counted (sent, failed or in doubt). Told before
     * the outcome is written: a read that sees the outcome written then counts one fewer, and one that does not, and
     * is taken in after this, counts the call again (held longer, never shorter).
     */
    synchronized void finished(long chat) {
        Known k = known.get(chat);
        if (k != null && k.left > 0 && --k.left == 0) {
            known.remove(chat);
        }
    }

    /**
     * What holds chats now, for the log: how many chats by transactions in progress, by transactions ended since the
     * last read, by calls that read counted and the sender has not finished; or that every chat is held.
     */
    synchronized String describe() {
        if (everyChat) {
            return "every chat (no read of the outbox yet, or more than " + MAX + " chats with unsent calls)";
        }
        long uncounted = known.values().stream().filter(k -> k.left == UNCOUNTED).count();
        return (open.size() + known.size()) + " chat(s): " + open.size() + " with a transaction in progress, "
                + uncounted + " with a transaction ended since the last read of the outbox, "
                + (known.size() - uncounted) + " with calls that read found unsent";
    }

    /** Whether {@code chat} may have calls in the table not sent yet: its journal calls wait. */
    synchronized boolean held(long chat) {
        return everyChat || open.containsKey(chat) || known.containsKey(chat);
    }
}

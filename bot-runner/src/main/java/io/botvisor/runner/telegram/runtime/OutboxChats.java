package io.botvisor.runner.telegram.runtime;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The chats that may have calls in the outbox table not sent yet. While the database is down the journal's calls of
 * those chats wait ({@link Offline#sendable}): they were queued after the table's, and a chat's replies keep their
 * order across an outage. Known from the sender's last read of the table ({@link #read}) and from every handler
 * (or replay) transaction that queued calls there since — from the moment it queued one, before its commit: a commit whose answer
 * is lost with the database may have put the calls there all the same. A chat stays held until a read that began
 * after its last transaction ended shows it has nothing left; before the first read every chat is held (a process that
 * starts while the database is down cannot know what its predecessors left). Thread-safe.
 */
final class OutboxChats {
    /** More chats with unsent calls than this in one read: every chat is held until a read finds fewer. */
    static final int MAX = 10_000;

    /** Chat → handler transactions in progress that queued calls to it. */
    private final Map<Long, Integer> open = new HashMap<>();
    /** Chat → when (a {@link #seq} value) it was last known to have, or may have had, unsent calls. */
    private final Map<Long, Long> known = new HashMap<>();
    private long seq;
    private boolean everyChat = true;

    /** A handler transaction queued a call to {@code chat} in the table (not committed yet). */
    synchronized void opened(long chat) {
        open.merge(chat, 1, Integer::sum);
    }

    /** A handler transaction that {@link #opened} these chats ended (committed, rolled back, or its answer lost). */
    synchronized void closed(Collection<Long> chats) {
        long now = ++seq;
        for (long chat : chats) {
            open.computeIfPresent(chat, (c, n) -> n == 1 ? null : n - 1);
            known.put(chat, now);
        }
    }

    /** Before a read of the table: what it returns goes to {@link #read} with this mark. */
    synchronized long mark() {
        return ++seq;
    }

    /**
     * A read that began at {@code mark} found these chats with calls queued or sending (at most {@link #MAX} + 1:
     * more than {@link #MAX} holds every chat). Chats known from before the mark are known from this read now.
     */
    synchronized void read(long mark, Set<Long> unsent) {
        everyChat = unsent.size() > MAX;
        known.values().removeIf(at -> at < mark);
        for (long chat : unsent) {
            known.putIfAbsent(chat, mark);
        }
    }

    /** Whether {@code chat} may have calls in the table not sent yet: its journal calls wait. */
    synchronized boolean held(long chat) {
        return everyChat || open.containsKey(chat) || known.containsKey(chat);
    }
}

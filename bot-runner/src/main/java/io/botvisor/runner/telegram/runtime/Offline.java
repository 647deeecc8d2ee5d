package io.botvisor.runner.telegram.runtime;

import io.botvisor.runner.telegram.transport.IncomingUpdate;
import io.botvisor.runner.telegram.transport.OutgoingCall;
import io.botvisor.storage.Outbox;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the bot runs from its journal (its database cannot be reached, or the journal is not replayed yet), and the
 * journal's side of the runtime while it does: the poller's batches go into it ({@link #received}), handlers' results
 * ({@link #handled}) and the sender's claims and outcomes of the calls they queued ({@link #claim}, {@link #outcome}).
 * The calls live here, by their journal ids (negative, so they never meet an outbox id), until the replay puts them in
 * the outbox ({@link #replayed}); from then on a call's later outcome goes to its outbox row ({@link #outboxId}).
 *
 * <p>Thread-safe: every write to the journal and to the calls happens under one lock, which the replay holds while it
 * copies what is not settled of this process's journal into the database and empties it ({@link #exclusive}), so
 * nothing is written behind it.
 */
final class Offline {
    private static final Logger log = LoggerFactory.getLogger(Offline.class);

    private final String bot;
    private final Journal journal;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean down;
    private volatile boolean fullReported;
    private final AtomicLong callIds = new AtomicLong();
    /** Journal calls not sent, failed or in doubt yet, in the order they were queued (guarded by the lock). */
    private final Map<Long, JournalCall> calls = new LinkedHashMap<>();
    /** Journal call id → outbox id, for calls the replay put in the outbox. */
    private final Map<Long, Long> outboxIds = new ConcurrentHashMap<>();
    /** Chats that may have calls in the outbox table not sent yet: their journal calls wait behind those. */
    private final OutboxChats outboxChats = new OutboxChats();
    private final List<Runnable> wentDownListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static final class JournalCall {
        final JournalEntry.Call call;
        Outbox.State state = Outbox.State.QUEUED;
        int attempts;
        /** Queued again to be sent once more after a send in doubt (the outcome's reason says so in the journal). */
        boolean resent;

        JournalCall(JournalEntry.Call call) {
            this.call = call;
        }
    }

    Offline(String bot, Journal journal) {
        this.bot = bot;
        this.journal = journal;
    }

    /** True while updates go to the journal rather than the inbox, and handlers run without the database. */
    boolean down() {
        return down;
    }

    /**
     * The database failed ({@code why}): from now on the bot runs from its journal until the replay is done. The
     * listeners ({@link #onWentDown}) hear of it once per outage, on the caller's thread, after the switch.
     */
    void wentDown(String why) {
        boolean now = false;
        lock.lock();
        try {
            if (!down) {
                down = true;
                now = true;
                log.warn("bot '{}': the database cannot be reached ({}); updates go to the journal {} and are "
                        + "answered from it until it is back", bot, why, journal.dir());
            }
        } finally {
            lock.unlock();
        }
        if (now) {
            wentDownListeners.forEach(Runnable::run);
        }
    }

    /** {@code listener} runs at the start of each outage (see {@link #wentDown}); it must not block. */
    void onWentDown(Runnable listener) {
        wentDownListeners.add(listener);
    }

    /**
     * Journals a batch from Telegram; returns how many from its start are in the journal (the poller confirms those),
     * or -1, writing nothing, when the bot is back on its database (the inbox takes the batch).
     *
     * @throws Journal.FullException when not even the first fits under the cap: nothing is confirmed, Telegram keeps
     *         the updates (24 h)
     */
    int received(List<IncomingUpdate> batch) throws Journal.FullException {
        lock.lock();
        try {
            if (!down) {
                return -1;
            }
            long now = System.currentTimeMillis();
            int n = 0;
            for (IncomingUpdate u : batch) {
                try {
                    journal.append(new JournalEntry.Received(u.updateId(), u.kind(), u.chatId(), u.json(), now), true);
                } catch (Journal.FullException e) {
                    if (n == 0) {
                        if (!fullReported) {
                            fullReported = true;
                            log.error("bot '{}': {} (telegram.journal.maxBytes): no more updates are confirmed to "
                                    + "Telegram, which keeps them for 24 h, until the database is back", bot,
                                    e.getMessage());
                        }
                        throw e;
                    }
                    break;
                }
                n++;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The journal's updates not handled yet, in the order received: for a process that recorded updates before it
     * started handling them (a handover's successor) to hand them to its dispatcher when it starts.
     */
    List<IncomingUpdate> pending() throws java.io.IOException {
        lock.lock();
        try {
            List<IncomingUpdate> out = new ArrayList<>();
            for (JournalFold.Plan p : JournalFold.fold(journal.readAll(), false, false)) {
                if (!p.handled()) {
                    JournalEntry.Received r = p.update();
                    out.add(new IncomingUpdate(r.updateId(), r.kind(), r.chatId(), r.json()));
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the cap refused an update since the journal was last emptied. */
    boolean full() {
        return fullReported;
    }

    /** A fresh journal call id (negative). */
    long nextCallId() {
        return -callIds.incrementAndGet();
    }

    /**
     * Journals that {@code update} was handled, with the calls its handler queued. False, writing nothing, when the
     * bot is back on its database (the replay ran meanwhile): the caller handles the update again there.
     */
    boolean handled(JournalEntry.Received update, List<JournalEntry.Call> queued, String note) {
        lock.lock();
        try {
            if (!down) {
                return false;
            }
            try {
                journal.append(new JournalEntry.Handled(update, queued, note), false);
            } catch (Journal.FullException e) {
                throw new IllegalStateException("an uncapped journal record was refused", e);
            }
            for (JournalEntry.Call c : queued) {
                calls.put(c.callId(), new JournalCall(c));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The journal's calls to make now: for each chat its oldest unfinished call, when it is queued and the chat has
     * no calls in the outbox table that may be unsent ({@link OutboxChats}): those were queued before it.
     */
    List<OutgoingCall> sendable(int limit) {
        lock.lock();
        try {
            List<OutgoingCall> out = new ArrayList<>();
            Set<Long> seen = new HashSet<>();
            for (JournalCall c : calls.values()) {
                if (seen.add(c.call.chatId()) && c.state == Outbox.State.QUEUED && out.size() < limit
                        && !outboxChats.held(c.call.chatId())) {
                    out.add(new OutgoingCall(c.call.callId(), c.call.chatId(), c.call.method(), c.call.payloadJson(),
                            c.attempts, c.resent));
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** The outbox id the replay gave journal call {@code id}, or null while it is only in the journal. */
    Long outboxId(long id) {
        return outboxIds.get(id);
    }

    /** queued → sending, journaled before the request is made; false when the call is not queued (any more). */
    boolean claim(long id) {
        lock.lock();
        try {
            JournalCall c = calls.get(id);
            if (c == null || c.state != Outbox.State.QUEUED) {
                return false;
            }
            append(new JournalEntry.Claimed(id));
            c.state = Outbox.State.SENDING;
            c.attempts++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * What became of journal call {@code id}: journaled; a call sent, failed or in doubt is finished here. False,
     * writing nothing, when the call is not here (the replay moved it to the outbox: see {@link #outboxId}).
     */
    boolean outcome(long id, Outbox.State state, Long messageId, String reason) {
        lock.lock();
        try {
            JournalCall c = calls.get(id);
            if (c == null) {
                return false;
            }
            append(new JournalEntry.Outcome(id, state.name().toLowerCase(java.util.Locale.ROOT), messageId, reason));
            if (state == Outbox.State.QUEUED) {
                c.state = Outbox.State.QUEUED;
                c.resent |= JournalFold.SENT_ONCE_MORE.equals(reason);
            } else {
                calls.remove(id);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} with every journal write held back (the replay of this process's journal). */
    <T> T exclusive(Callable<T> work) throws Exception {
        lock.lock();
        try {
            return work.call();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The replay put these journal calls in the outbox ({@code outboxIds}) or found their update handled before
     * ({@code dropped}: not sent from here). Caller holds {@link #exclusive}.
     */
    void replayed(Map<Long, Long> inOutbox, Set<Long> dropped) {
        outboxIds.putAll(inOutbox);
        for (Iterator<Long> it = calls.keySet().iterator(); it.hasNext(); ) {
            Long id = it.next();
            if (inOutbox.containsKey(id) || dropped.contains(id)) {
                it.remove();
            }
        }
    }

    /** The whole journal is in the database: it is emptied and the bot is back on its database. Caller is exclusive. */
    void back() throws java.io.IOException {
        journal.truncate();
        down = false;
        if (fullReported) {
            log.info("bot '{}': the journal is empty again; updates are confirmed to Telegram again", bot);
        }
        fullReported = false;
        log.info("bot '{}': the database is back and the journal is replayed into it", bot);
    }

    Journal journal() {
        return journal;
    }

    /** What the runtime knows of the outbox table's unsent chats (handlers and the sender's reads tell it). */
    OutboxChats outboxChats() {
        return outboxChats;
    }

    private void append(JournalEntry e) {
        try {
            journal.append(e, false);
        } catch (Journal.FullException x) {
            throw new IllegalStateException("an uncapped journal record was refused", x);
        }
    }
}

package io.botvisor.runner.telegram.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.botvisor.runner.BotContext;
import io.botvisor.runner.telegram.DatabaseUnavailableException;
import io.botvisor.runner.telegram.Handler;
import io.botvisor.runner.telegram.Handlers;
import io.botvisor.runner.telegram.Update;
import io.botvisor.runner.telegram.transport.IncomingUpdate;
import io.botvisor.storage.BotData;
import io.botvisor.storage.Inbox;
import io.botvisor.storage.Outbox;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the recorded, unhandled updates from the inbox — and, while the database is down, those the poller put in the
 * journal ({@link #offer}) — and has each handled exactly once: one chat's updates in order, one at a time (a lane per
 * chat), different chats at once on a bounded pool. Online, a handler runs in one transaction that also marks its
 * update handled ({@link Inbox#markHandled}): a crash anywhere leaves the update either handled with all its effects or
 * not at all. Offline ({@link Offline#down()}), it runs without the database and its end goes to the journal with the
 * calls it queued, for the replay to put in the database; a handler that needs the database waits for it or is
 * answered with the apology (telegram.whenDatabaseDown). A handler that throws is tried {@link #HANDLER_ATTEMPTS}
 * times, then its update is marked handled without effect and logged as an ERROR.
 * <p>Threads: the inbox is read on the runtime's scheduler thread ({@link #wake}), with a deadline; lanes run on the
 * handler pool. The lane map and the ids in lanes are guarded by {@code this}.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    static final int HANDLER_ATTEMPTS = 3;
    /** Updates taken from the inbox and not yet handled, at most: bounds the memory a backlog takes. */
    private static final int MAX_IN_FLIGHT = 1_000;
    private static final int FETCH = 100;
    /** Finished update ids kept against a second handling (~80 bytes each; at 100 updates/s, 40 s of them). */
    static final int DONE_KEPT = 4_096;
    private static final Duration DB_RETRY_MIN = Duration.ofMillis(500);
    private static final Duration DB_RETRY_MAX = Duration.ofSeconds(15);
    /**
     * How long a handler waits for a connection before the journal takes over: fixed, not the database's
     * {@link Patience} — a pool whose connections busy handlers hold is not a database that stopped answering.
     */
    static final Duration DB_DEADLINE = Duration.ofSeconds(5);
    /** A statement without an answer from the server this much longer than the handler may run fails (JDBC). */
    private static final Duration NETWORK_MARGIN = Duration.ofSeconds(10);
    /** How often an update waiting for the database (whenDatabaseDown: wait) looks whether it is back. */
    private static final Duration WAIT_RECHECK = Duration.ofSeconds(1);

    private final Inbox inbox;
    private final Outbox outbox;
    private final BotData data;
    private final DbGate db;
    private final Offline offline;
    private final String apology;
    /** The JDBC network timeout of handlers' connections: a hanging server fails them, a slow query does not. */
    private final Duration network;
    private final Handlers handlers;
    private final BotContext ctx;
    private final Runnable onQueued;
    private final ObjectMapper json = new ObjectMapper();
    private final com.github.benmanes.caffeine.cache.Cache<String, Object> cache;
    private final ExecutorService pool;
    private final ScheduledExecutorService scheduler;
    private final Map<Long, Lane> lanes = new HashMap<>();
    /** Update ids in a lane now: one read from the inbox after the journal's replay is not queued twice. */
    private final Set<Long> queuedIds = new HashSet<>();
    /**
     * The last {@link #DONE_KEPT} update ids this process finished (handled, online or from the journal, or skipped):
     * none is queued again. A second way to one update — read back from the inbox and also taken by the journal when
     * the database went down around its write — must not handle it twice; its first handling's replies may be sent.
     */
    private final Set<Long> doneIds = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > DONE_KEPT;
        }
    });
    /** Recorded in the inbox, not yet read back: to their lanes first if the database goes down. Guarded by this. */
    private final UnreadUpdates unread = new UnreadUpdates();
    private final Duration readDelay;
    private final AtomicLong solo = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The connections of handler transactions in progress: cut when the database goes down. */
    private final Set<Connection> handlerTransactions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private long afterSeq;
    private boolean fetchFailing;
    private Duration fetchRetry = DB_RETRY_MIN;
    private volatile boolean stopping;

    /**
     * @param apology the reply to an update whose handler needed the database while it was down (whenDatabaseDown:
     *                apologize), or null to have such an update wait for the database (wait)
     */
    Dispatcher(Inbox inbox, Outbox outbox, BotData data, DbGate db, Offline offline, String apology,
               Duration handlerTimeout, Handlers handlers, BotContext ctx, int threads, long cacheEntries,
               ScheduledExecutorService scheduler, Runnable onQueued, Duration readDelay) {
        this.network = handlerTimeout.plus(NETWORK_MARGIN);
        this.readDelay = readDelay;
        this.inbox = inbox;
        this.outbox = outbox;
        this.data = data;
        this.db = db;
        this.offline = offline;
        this.apology = apology;
        this.handlers = handlers;
        this.ctx = ctx;
        this.scheduler = scheduler;
        this.onQueued = onQueued;
        this.cache = com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(cacheEntries).build();
        offline.onWentDown(this::cutTransactions);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tg-handler-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The database went down: every handler transaction in progress is cut (its connection aborted), so that its
     * statement fails now rather than after the network timeout ({@code handlerTimeout} + 10 s, during which its
     * chat's later updates waited); its update is then handled from the journal. One whose commit was not asked for
     * can then never commit; one whose commit was asked for is in doubt, as a lost commit answer always was
     * ({@link OutboxChats#closed}).
     */
    private void cutTransactions() {
        int cut = 0;
        for (Connection c : handlerTransactions) {
            try {
                c.abort(Runnable::run);
                cut++;
            } catch (SQLException | RuntimeException e) {
                log.debug("a handler transaction's connection could not be aborted: {}", oneLine(e));
            }
        }
        if (cut > 0) {
            log.warn("{} handler transaction{} in progress cut: {} handled from the journal", cut, cut == 1 ? "" : "s",
                    cut == 1 ? "its update is" : "their updates are");
        }
    }

    /** New updates may be in the inbox: read them (on the scheduler thread). */
    void wake() {
        if (stopping) {
            return;
        }
        if (readDelay.isZero()) {
            scheduler.execute(this::fetch);
        } else { // a test hook (config inboxReadDelay): the database can be stopped before the read
            scheduler.schedule(this::fetch, readDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The poller is about to record these in the inbox: they are read back from it, unless the database goes down
     * first. Kept from before the write, as a read may return them before the poller's thread runs again.
     */
    synchronized void recording(List<IncomingUpdate> updates) {
        unread.recorded(updates, System.currentTimeMillis());
    }

    /**
     * The write of {@code updates} committed and recorded {@code recorded} of them: the others the inbox held already
     * (handled, or to be read as recorded before), and no read may return them again: they are not kept.
     */
    synchronized void recorded(List<IncomingUpdate> updates, Set<Long> recorded) {
        unread.written(updates, recorded);
    }

    private void fetch() {
        while (!stopping && inFlight.get() < MAX_IN_FLIGHT) {
            if (offline.down()) {
                return; // the inbox is read again once the journal is replayed (wake)
            }
            List<Inbox.Pending> batch;
            long takes;
            synchronized (this) {
                takes = unread.takes();
            }
            try {
                int limit = Math.min(FETCH, MAX_IN_FLIGHT - inFlight.get());
                long after = afterSeq;
                batch = db.call(() -> inbox.unhandled(after, limit));
            } catch (DbGate.DownException e) {
                offline.wentDown(e.getMessage());
                retryFetchLater(e);
                return;
            }
            if (fetchFailing) {
                log.info("the inbox can be read again");
                fetchFailing = false;
                fetchRetry = DB_RETRY_MIN;
            }
            if (batch.isEmpty()) {
                return;
            }
            synchronized (this) {
                if (unread.takes() != takes) {
                    // The database went down while this read was under way, and the unread updates went to their
                    // lanes, to be handled from the journal: one of them may be handled already. Read again.
                    continue;
                }
                for (Inbox.Pending p : batch) {
                    afterSeq = Math.max(afterSeq, p.seq());
                    unread.readBack(p.updateId());
                    enqueue(new Work(p.updateId(), p.kind(), p.chatId(), p.payloadJson(),
                            System.currentTimeMillis()));
                }
            }
        }
    }

    /**
     * Updates the poller put in the journal (the database is down): queued behind their chats' earlier ones —
     * including those recorded in the inbox that no read returned yet, which go to their lanes first.
     */
    synchronized void offer(List<IncomingUpdate> journaled) {
        for (UnreadUpdates.Recorded r : unread.takeAll()) {
            enqueue(Work.of(r.update(), r.atMillis()));
        }
        long now = System.currentTimeMillis();
        for (IncomingUpdate u : journaled) {
            enqueue(Work.of(u, now));
        }
    }

    private void retryFetchLater(Exception e) {
        if (!fetchFailing) {
            log.warn("cannot read the inbox ({}); trying again with backoff, nothing is lost", e.getMessage());
            fetchFailing = true;
        }
        Duration delay = fetchRetry;
        fetchRetry = min(fetchRetry.multipliedBy(2), DB_RETRY_MAX);
        scheduler.schedule(this::fetch, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void enqueue(Work w) {
        if (doneIds.contains(w.updateId()) || !queuedIds.add(w.updateId())) {
            return; // in a lane already (journaled, then read from the inbox after the replay), or handled
        }
        inFlight.incrementAndGet();
        // An update without a chat (an inline query) is ordered after nothing: a lane of its own.
        long chat = w.chatId() != null ? w.chatId() : Long.MIN_VALUE + solo.incrementAndGet();
        Lane lane = lanes.computeIfAbsent(chat, Lane::new);
        lane.queue.add(w);
        if (!lane.running) {
            lane.running = true;
            pool.execute(lane::drain);
        }
    }

    /** The longest-running handler, when one has run longer than {@code limit}: "update 12 in chat 5 for 41 s". */
    synchronized String stuckHandler(Duration limit) {
        long now = System.nanoTime();
        String worst = null;
        long longest = limit.toNanos();
        for (Lane lane : lanes.values()) {
            long since = lane.busySince;
            if (since != 0 && now - since > longest) {
                longest = now - since;
                worst = "a handler has run for " + TimeUnit.NANOSECONDS.toSeconds(longest) + " s on update "
                        + lane.current + " (limit " + limit.toSeconds() + " s)";
            }
        }
        return worst;
    }

    /** Updates taken from the inbox and not yet handled. */
    int inFlight() {
        return inFlight.get();
    }

    /** Lets running handlers finish within {@code deadline}; starts no more. Returns whether they did. */
    boolean stop(Duration deadline) throws InterruptedException {
        stopping = true;
        pool.shutdown();
        return pool.awaitTermination(Math.max(1, deadline.toMillis()), TimeUnit.MILLISECONDS);
    }

    private enum Outcome { DONE, RETRY_DB, RETRY_HANDLER, WAIT_FOR_DB, AGAIN }

    /** An update to handle, from the inbox or the journal. Immutable. */
    private record Work(long updateId, String kind, Long chatId, String payloadJson, long receivedAtMillis) {
        static Work of(IncomingUpdate u, long receivedAtMillis) {
            return new Work(u.updateId(), u.kind(), u.chatId(), u.json(), receivedAtMillis);
        }

        JournalEntry.Received received() {
            return new JournalEntry.Received(updateId, kind, chatId, payloadJson, receivedAtMillis);
        }
    }

    /** One chat's updates: handled in order, one at a time, on a pool thread while it has work. */
    private final class Lane {
        private final long chat;
        private final ArrayDeque<Work> queue = new ArrayDeque<>();
        private boolean running;
        private volatile long busySince;
        private volatile long current;
        private int attempts;
        private Duration dbRetry = DB_RETRY_MIN;
        /** The first update's handler needed the database (whenDatabaseDown: wait): it waits until it is back. */
        private boolean waitingForDb;

        Lane(long chat) {
            this.chat = chat;
        }

        void drain() {
            while (!stopping) {
                Work p;
                synchronized (Dispatcher.this) {
                    p = queue.peek();
                    if (p == null) {
                        running = false;
                        lanes.remove(chat);
                        return;
                    }
                }
                Outcome outcome = waitingForDb && offline.down() ? Outcome.WAIT_FOR_DB : handle(p);
                waitingForDb = outcome == Outcome.WAIT_FOR_DB;
                if (outcome == Outcome.AGAIN) {
                    continue; // the database came back while it ran from the journal: handled there instead
                }
                if (outcome == Outcome.DONE) {
                    attempts = 0;
                    dbRetry = DB_RETRY_MIN;
                    synchronized (Dispatcher.this) {
                        queue.poll();
                        queuedIds.remove(p.updateId());
                        doneIds.add(p.updateId());
                    }
                    if (inFlight.decrementAndGet() == MAX_IN_FLIGHT - 1) {
                        wake();
                    }
                    continue;
                }
                // Tried again later, still first in its lane: the chat's order holds.
                Duration delay = outcome == Outcome.RETRY_DB ? dbRetry
                        : outcome == Outcome.WAIT_FOR_DB ? WAIT_RECHECK : Duration.ofSeconds(attempts);
                dbRetry = outcome == Outcome.RETRY_DB ? min(dbRetry.multipliedBy(2), DB_RETRY_MAX) : dbRetry;
                scheduler.schedule(() -> {
                    if (!stopping) {
                        pool.execute(this::drain);
                    }
                }, delay.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
        }

        private Outcome handle(Work p) {
            current = p.updateId();
            busySince = System.nanoTime();
            try {
                return offline.down() ? fromJournal(p) : handleOnce(p);
            } finally {
                busySince = 0;
            }
        }

        /**
         * Handles an update without the database: the handler's calls and the update's end go to the journal. A
         * handler that needed the database: the update waits for it, or is answered with the apology.
         */
        private Outcome fromJournal(Work p) {
            Update update;
            try {
                update = new Update(p.updateId(), json.readTree(p.payloadJson()));
            } catch (java.io.IOException e) {
                log.error("update {}: its recorded payload is not JSON ({}); skipped", p.updateId(), e.getMessage());
                return journaled(p, List.of(), "skipped") ? Outcome.DONE : Outcome.AGAIN;
            }
            Handler handler = handlers.route(update);
            TurnImpl turn = TurnImpl.fromJournal(update, ctx, json, cache, offline::nextCallId);
            try {
                if (handler != null) {
                    handler.handle(turn);
                }
            } catch (Exception | LinkageError | StackOverflowError e) {
                turn.rolledBack();
                if (needsDatabase(e)) {
                    return withoutDatabase(p, update);
                }
                attempts++;
                ctx.count("telegram_handler_errors", 1);
                ctx.count("errors", 1);
                if (attempts < HANDLER_ATTEMPTS) {
                    log.warn("{}: the handler failed (attempt {} of {}), trying again: {}", update, attempts,
                            HANDLER_ATTEMPTS, oneLine(e));
                    return Outcome.RETRY_HANDLER;
                }
                log.error("{}: the handler failed {} times; the update is skipped, nothing of it was kept", update,
                        attempts, e);
                return journaled(p, List.of(), "skipped") ? Outcome.DONE : Outcome.AGAIN;
            }
            if (!journaled(p, turn.journalCalls(), null)) {
                turn.rolledBack();
                return Outcome.AGAIN;
            }
            ctx.count(handler == null ? "telegram_updates_ignored" : "telegram_updates_handled", 1);
            ctx.count("telegram_updates_journaled", 1);
            if (turn.queued() > 0) {
                onQueued.run();
            }
            return Outcome.DONE;
        }

        private Outcome withoutDatabase(Work p, Update update) {
            if (apology == null || update.chatId().isEmpty()) {
                if (!waitingForDb) {
                    log.warn("{}: the handler needs the database, which cannot be reached; the update and its "
                            + "chat's later ones wait until it is back (whenDatabaseDown: wait)", update);
                    ctx.count("telegram_updates_waiting_for_database", 1);
                }
                return Outcome.WAIT_FOR_DB;
            }
            TurnImpl sorry = TurnImpl.fromJournal(update, ctx, json, cache, offline::nextCallId);
            sorry.reply(apology);
            if (!journaled(p, sorry.journalCalls(), "apologized")) {
                return Outcome.AGAIN;
            }
            log.warn("{}: the handler needs the database, which cannot be reached; answered with the apology and "
                    + "counted as handled (whenDatabaseDown: apologize)", update);
            ctx.count("telegram_updates_apologized", 1);
            onQueued.run();
            return Outcome.DONE;
        }

        private boolean journaled(Work p, List<JournalEntry.Call> calls, String note) {
            return offline.handled(p.received(), calls, note);
        }

        private Outcome handleOnce(Work p) {
            Update update;
            try {
                update = new Update(p.updateId(), json.readTree(p.payloadJson()));
            } catch (java.io.IOException e) {
                log.error("update {}: its recorded payload is not JSON ({}); skipped", p.updateId(), e.getMessage());
                return skip(p, "payload is not JSON");
            }
            Handler handler = handlers.route(update);
            try (Connection c = db.connection(DB_DEADLINE, network)) {
                handlerTransactions.add(c);
                if (offline.down()) {
                    handlerTransactions.remove(c); // went down meanwhile: the journal takes the update
                    return Outcome.RETRY_DB;
                }
                c.setAutoCommit(false);
                TurnImpl turn = new TurnImpl(update, c, ctx, outbox, offline.outboxChats(), data, json, cache);
                boolean commitAsked = false;
                try {
                    if (!inbox.markHandled(c, p.updateId())) {
                        c.rollback(); // handled already (an earlier incarnation): never twice
                        return Outcome.DONE;
                    }
                    if (handler == null) {
                        c.commit();
                        ctx.count("telegram_updates_ignored", 1);
                        return Outcome.DONE;
                    }
                    handler.handle(turn);
                    commitAsked = true;
                    c.commit();
                } catch (Exception | LinkageError | StackOverflowError e) {
                    rollback(c);
                    turn.rolledBack();
                    return failed(p, update, c, e);
                } finally {
                    handlerTransactions.remove(c);
                    turn.ended(commitAsked);
                }
                ctx.count("telegram_updates_handled", 1);
                if (turn.queued() > 0) {
                    onQueued.run();
                }
                return Outcome.DONE;
            } catch (SQLException | RuntimeException | DbGate.DownException e) {
                return databaseTrouble(e);
            }
        }

        private Outcome failed(Work p, Update update, Connection c, Throwable e) {
            if (!valid(c)) {
                return databaseTrouble(e);
            }
            attempts++;
            ctx.count("telegram_handler_errors", 1);
            ctx.count("errors", 1); // feeds the health score
            if (attempts < HANDLER_ATTEMPTS) {
                log.warn("{}: the handler failed (attempt {} of {}), trying again: {}", update, attempts,
                        HANDLER_ATTEMPTS, oneLine(e));
                return Outcome.RETRY_HANDLER;
            }
            log.error("{}: the handler failed {} times; the update is skipped, nothing of it was kept", update,
                    attempts, e);
            return skip(p, "handler failed");
        }

        /** Marks an update handled with no effect, so that it stops blocking its chat. */
        private Outcome skip(Work p, String why) {
            try (Connection c = db.connection(DB_DEADLINE, network)) {
                c.setAutoCommit(false);
                inbox.markHandled(c, p.updateId());
                c.commit();
                ctx.count("telegram_updates_skipped", 1);
                return Outcome.DONE;
            } catch (SQLException | RuntimeException | DbGate.DownException e) {
                return databaseTrouble(e);
            }
        }

        private Outcome databaseTrouble(Throwable e) {
            if (dbRetry.equals(DB_RETRY_MIN)) {
                log.warn("chat {}: the database cannot be reached ({}); the update is handled from the journal",
                        chat, oneLine(e));
            }
            offline.wentDown(oneLine(e));
            return Outcome.RETRY_DB;
        }
    }

    /** Whether {@code e} (or a cause) is the turn saying the database is unavailable. */
    private static boolean needsDatabase(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DatabaseUnavailableException) {
                return true;
            }
        }
        return false;
    }

    private static boolean valid(Connection c) {
        try {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the connection is gone: the server rolled the transaction back itself
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}

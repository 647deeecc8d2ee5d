package io.botvisor.runner.telegram.runtime;

import io.botvisor.ipc.BuiltInBots;
import io.botvisor.ipc.ChildExit;
import io.botvisor.runner.telegram.transport.BotIdentity;
import io.botvisor.runner.telegram.transport.TransportCounter;
import io.botvisor.runner.telegram.transport.UncertainPolicy;
import io.botvisor.runner.BotConfigException;
import io.botvisor.runner.BotContext;
import io.botvisor.runner.SelfCheck;
import io.botvisor.runner.telegram.Handlers;
import io.botvisor.storage.BotData;
import io.botvisor.storage.Inbox;
import io.botvisor.storage.Outbox;
import io.botvisor.runner.telegram.transport.IncomingUpdate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Telegram bot's runtime: the poller records updates in the inbox ({@link InboxSink}), the {@link Dispatcher}
 * hands them to the handlers, the sender delivers what they queued in the outbox. Started by
 * {@code TelegramBot.start} — it returns (and the bot is READY) once Telegram accepted the token — and stopped by its
 * stop. Thread-safe; owns its threads: the poller's, the sender's, the handler pool and one scheduler thread
 * ({@code tg-runtime}) for the inbox reads and the queue levels.
 */
public final class TelegramRuntime {
    private static final Logger log = LoggerFactory.getLogger(TelegramRuntime.class);
    /** How often the queue levels (outbox depth, inbox lag) are read again — only after some activity. */
    private static final Duration LEVELS_EVERY = Duration.ofSeconds(5);
    private static final long CACHE_ENTRIES = 10_000;
    /** Levels in the heartbeat's counters (the supervisor knows them as levels: Tallies.LEVELS). */
    static final String OUTBOX_DEPTH = "telegram_outbox_depth";
    static final String OLDEST_UNSENT = "telegram_oldest_unsent_seconds";
    static final String INBOX_LAG = "telegram_inbox_lag";
    static final String JOURNAL_DEPTH = "telegram_journal_depth";
    static final String JOURNAL_OLDEST = "telegram_journal_oldest_seconds";
    /** Batches the journal refused because it was full (a count): nothing of them was confirmed. */
    static final String JOURNAL_FULL = "telegram_journal_full";
    /** The database's part of the levels: not waited on longer than this (the scheduler must not hang with it). */
    private static final Duration LEVELS_DEADLINE = Duration.ofSeconds(5);

    private final BotContext ctx;
    private final Settings settings;
    private final Inbox inbox;
    private final Outbox outbox;
    private final ScheduledExecutorService scheduler;
    private final Dispatcher dispatcher;
    private final Transport transport;
    private final DbGate gate;
    private final Offline offline;
    private final Replayer replayer;
    private final AtomicBoolean active = new AtomicBoolean(true);
    private final InboxSink sink;
    private volatile boolean serving;
    private boolean polling;
    private long shownJournal;
    private long shownJournalAge;
    private long shownOutbox;
    private long shownUnsentAge;
    private long shownLag;

    private TelegramRuntime(BotContext ctx, Settings settings, DataSource db, Handlers handlers, String token,
                            Path journals) throws IOException {
        this.ctx = ctx;
        this.settings = settings;
        this.gate = new DbGate(db);
        this.inbox = Inbox.of(gate.dataSource()); // its calls through the gate get the patience once connected
        this.outbox = Outbox.of(gate.dataSource());
        String own = ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
        this.offline = new Offline(ctx.botId(), Journal.create(journals.resolve(own), settings.journalMaxBytes()));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tg-runtime");
            t.setDaemon(true);
            return t;
        });
        long cacheEntries = Long.parseLong(ctx.config().getOrDefault("cache.maxEntries", Long.toString(CACHE_ENTRIES)));
        this.transport = new Transport(settings, token, ctx, new OutboxPortAdapter(outbox, gate, offline));
        this.dispatcher = new Dispatcher(inbox, outbox, BotData.of(db), gate, offline, settings.apology(),
                settings.handlerTimeout(), handlers,
                ctx, settings.handlerThreads(), cacheEntries, scheduler, this::queued,
                ctx.durationConfig("inboxReadDelay", Duration.ZERO)); // a test hook: see Dispatcher.wake
        Duration replayDelay = ctx.durationConfig("journalReplayDelay", Duration.ZERO); // a test hook: see Replayer
        this.replayer = new Replayer(ctx.botId(), offline, journals, own, gate, inbox, outbox,
                settings.retryUncertain(), replayDelay, this::replayed,
                n -> ctx.count(TransportCounter.UNCERTAIN_SENDS.key(), n));
        transport.onTokenRejected(this::tokenRevoked);
        this.sink = new InboxSink(inbox, gate, offline, dispatcher::recording, this::recorded, this::journaled,
                () -> ctx.count(JOURNAL_FULL, 1));
    }

    /**
     * Starts the bot's runtime: checks its token with Telegram ({@code getMe}; a token Telegram rejects is a
     * {@link BotConfigException}: exit 78, not restarted), takes up what an earlier process left (unhandled updates,
     * replies in doubt), then polls, handles and sends. Returns when the bot is serving.
     */
    public static TelegramRuntime start(BotContext ctx, Handlers handlers) throws Exception {
        Settings settings = Settings.from(ctx.telegram());
        String token = System.getenv(BuiltInBots.TOKEN_ENV);
        if (token == null || token.isBlank()) {
            throw new BotConfigException(BuiltInBots.TOKEN_ENV + " is not set (expected the bot's token in its "
                    + "secretsFile:, e.g. TELEGRAM_BOT_TOKEN=123456:ABC…)");
        }
        DataSource db = ctx.database().orElseThrow(() -> new BotConfigException("a Telegram bot needs the fleet's "
                + "database for its inbox and outbox, and the fleet has none (database.enabled is false)"));
        // The bot's private work directory (its HOME: user.home for a bot-runner child) holds its journals.
        Path journals = Path.of(System.getProperty("user.home"), "journal");
        TelegramRuntime r = new TelegramRuntime(ctx, settings, db, handlers, token, journals);
        if (ctx.standby()) {
            r.standby();
        } else {
            r.begin();
        }
        return r;
    }

    private void begin() throws Exception {
        serve();
        transport.check(sink);
        takeOver(0, true);
    }

    /** A handover successor: the token is checked and the pool is open; nothing is polled, handled or sent yet. */
    private void standby() throws Exception {
        BotIdentity me = transport.check(sink);
        log.info("bot '{}': standing by as @{} for a handover: not polling until the serving process hands over",
                ctx.botId(), me.username());
    }

    /**
     * Polls from {@code from} (once), and with {@code serve} takes up what an earlier process left (unhandled
     * updates, replies in doubt) and starts handling and sending (once). See {@code HandsOver#takeOver}.
     */
    public synchronized void takeOver(long from, boolean serve) throws Exception {
        if (!active.get()) {
            return;
        }
        if (serve && !serving) {
            serve();
        }
        if (!polling) {
            polling = true;
            transport.poll(from);
        }
    }

    /**
     * Stops polling within {@code deadline} (the waiting poll cut, what was received recorded and confirmed) and
     * returns the offset Telegram accepted: where the successor polls from. {@link #stop} then finishes the rest.
     */
    public long handOver(Duration deadline) throws InterruptedException {
        long offset = transport.stopPolling(deadline);
        log.info("bot '{}': handed over at offset {}; finishing what is in flight", ctx.botId(), offset);
        return offset;
    }

    /** Takes up what was left and starts handling and sending; under the lock {@link #journaled} takes. */
    private synchronized void serve() throws Exception {
        List<Outbox.Item> doubtful = outbox.recoverInFlight();
        if (!doubtful.isEmpty()) {
            log.warn("{} repl{} were being sent when the previous process ended: each may or may not have reached "
                    + "Telegram ({})", doubtful.size(), doubtful.size() == 1 ? "y" : "ies", settings.retryUncertain()
                    ? "sent once more: uncertainSends is retry-once" : "not sent again: uncertainSends is never");
            ctx.count(TransportCounter.UNCERTAIN_SENDS.key(), doubtful.size());
            if (settings.retryUncertain()) {
                for (Outbox.Item item : doubtful) {
                    if (!item.resent()) { // retry-once: its one more send was given already otherwise
                        outbox.resendOnce(item.id(), UncertainPolicy.SENT_ONCE_MORE);
                    }
                }
            }
        }
        // Journals of processes that are gone go into the database before its inbox is read: an update they handled
        // is marked handled there first, so it is not handled again.
        int replayed = replayer.replayOrphans();
        if (replayed > 0) {
            log.info("bot '{}': {} updates from journals of gone processes are in the database", ctx.botId(), replayed);
        }
        // Which chats have replies in the outbox not sent yet (earlier processes', the orphans' just restored): their
        // journal calls would wait behind them if the database went down now. Known before the sender's first read,
        // so a database that goes down right after the start does not hold every chat's journal calls back.
        OutboxChats chats = offline.outboxChats();
        long mark = chats.mark();
        chats.read(mark, outbox.unsentChats(OutboxChats.MAX));
        dispatcher.wake(); // what an earlier process recorded and did not handle
        List<IncomingUpdate> held = offline.pending(); // what this process journaled before it served (a handover)
        if (!held.isEmpty()) {
            dispatcher.offer(held);
        }
        serving = true;
        dispatcher.wake(); // what the poller recorded in the inbox meanwhile
        scheduler.scheduleWithFixedDelay(this::levels, 0, LEVELS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        replayer.watch();
        transport.startSending();
    }

    /** Telegram rejected the token while the bot ran (revoked): stop, and exit as a configuration error. */
    private void tokenRevoked() {
        Thread t = new Thread(() -> {
            try {
                stop(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.exit(ChildExit.CONFIG_ERROR);
        }, "tg-token-rejected");
        t.setDaemon(false);
        t.start();
    }

    private volatile boolean levelsDirty = true;

    private void recorded(List<IncomingUpdate> updates, java.util.Set<Long> recorded) {
        levelsDirty = true;
        dispatcher.recorded(updates, recorded); // read back from the inbox; from the journal if it goes down first
        if (serving) { // a successor records while its predecessor still handles: it handles them once that is gone
            dispatcher.wake();
        }
    }

    /**
     * The poller put these in the journal (the database is down): they are handled from it. (A process that records
     * before it handles — a handover's successor — would hold them back and take {@code Offline.pending()} when it
     * starts handling, as it does with the inbox.)
     */
    private synchronized void journaled(List<IncomingUpdate> updates) {
        levelsDirty = true;
        if (serving) { // else: taken from the journal (Offline.pending) when this process starts handling
            dispatcher.offer(updates);
        }
    }

    /** The journal went into the database: the inbox and the outbox are read again. */
    private void replayed() {
        levelsDirty = true;
        dispatcher.wake();
        transport.wakeSender();
    }

    private void queued() {
        levelsDirty = true;
        transport.wakeSender();
    }

    /**
     * The queue levels the heartbeat carries (levels, not counts: the supervisor shows them as gauges). Read from
     * the database only after activity, so an idle bot costs it nothing.
     */
    private void levels() {
        Journal j = offline.journal();
        long depth = j.depth();
        long oldest = j.oldestMillis();
        long journalAge = oldest == 0 ? 0 : Math.max(0, (System.currentTimeMillis() - oldest) / 1000);
        ctx.count(JOURNAL_DEPTH, depth - shownJournal);
        ctx.count(JOURNAL_OLDEST, journalAge - shownJournalAge);
        shownJournal = depth;
        shownJournalAge = journalAge;
        if (offline.down() || !levelsDirty && shownOutbox == 0 && shownLag == 0) {
            return;
        }
        levelsDirty = false;
        try {
            Outbox.Stats o = gate.call(outbox::stats, LEVELS_DEADLINE);
            Inbox.Stats i = gate.call(inbox::stats, LEVELS_DEADLINE);
            long age = o.oldestUnsentAge() == null ? 0 : o.oldestUnsentAge().toSeconds();
            ctx.count(OUTBOX_DEPTH, o.unsent() - shownOutbox);
            ctx.count(OLDEST_UNSENT, age - shownUnsentAge);
            ctx.count(INBOX_LAG, i.unhandled() - shownLag);
            shownOutbox = o.unsent();
            shownUnsentAge = age;
            shownLag = i.unhandled();
        } catch (DbGate.DownException | RuntimeException e) {
            levelsDirty = true; // the database is down: the levels are read again when it is back
        }
    }

    /** Failing while another process polls the token (409), or a handler runs past {@code handlerTimeout}. */
    public SelfCheck selfCheck() {
        List<String> wrong = new ArrayList<>();
        String conflict = transport.problem();
        if (conflict != null) {
            wrong.add(conflict);
        }
        String stuck = dispatcher.stuckHandler(settings.handlerTimeout());
        if (stuck != null) {
            wrong.add(stuck);
        }
        return wrong.isEmpty() ? SelfCheck.passing() : SelfCheck.failing(String.join("; ", wrong));
    }

    /**
     * Stops within {@code deadline}: polling first (the poll in progress is cut and what was recorded is confirmed to
     * Telegram), then the running handlers finish, then the sender; what is left waits in the database for the next
     * process.
     */
    public void stop(Duration deadline) throws InterruptedException {
        if (!active.compareAndSet(true, false)) {
            return;
        }
        long end = System.nanoTime() + deadline.toNanos();
        transport.stopPolling(Duration.ofNanos(Math.max(0, (end - System.nanoTime()) / 3)));
        if (!dispatcher.stop(Duration.ofNanos(Math.max(0, (end - System.nanoTime()) * 2 / 3)))) {
            log.warn("handlers still running at the stop deadline; their updates are handled by the next process");
        }
        transport.stopSending(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
        replayer.stop();
        scheduler.shutdownNow();
        gate.close();
        try {
            // The lock goes with it: what the journal holds is replayed by the next process of this bot.
            if (offline.journal().depth() == 0) {
                offline.journal().delete();
            } else {
                offline.journal().close();
            }
        } catch (IOException e) {
            log.warn("bot '{}': closing the journal: {}; the next process replays it all the same", ctx.botId(),
                    e.getMessage());
        }
    }
}

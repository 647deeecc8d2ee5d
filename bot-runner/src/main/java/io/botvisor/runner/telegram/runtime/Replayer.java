package io.botvisor.runner.telegram.runtime;

import io.botvisor.storage.Inbox;
import io.botvisor.storage.Outbox;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies journals into the database: this process's own once the database answers again ({@link #watch}: every
 * second while {@link Offline#down()}), and those left by processes that are gone (at start, before anything is read
 * from the inbox, and every half minute). Each update of a journal is one transaction (see {@link JournalFold}), so a
 * replay cut by a crash is simply run again by the next process; a journal is emptied or removed only after all of it
 * is in. Owns its thread ({@code tg-journal}).
 */
final class Replayer {
    private static final Logger log = LoggerFactory.getLogger(Replayer.class);
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    static final Duration ORPHANS_EVERY = Duration.ofSeconds(30);
    static final Duration DEADLINE = Duration.ofSeconds(5);
    static final Duration NETWORK = Duration.ofSeconds(10);

    private final String bot;
    private final Offline offline;
    private final Path root;
    private final String own;
    private final DbGate gate;
    private final Inbox inbox;
    private final Outbox outbox;
    private final boolean retryUncertain;
    private final Duration stepDelay;
    private final Runnable onReplayed;
    private final LongConsumer uncertainCount;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tg-journal");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param root        the directory of every journal of the bot ({@code <home>/journal})
     * @param own         this process's journal's directory name under it
     * @param stepDelay   a pause after each update replayed: zero, except in the tests that kill a process mid-replay
     * @param onReplayed  told after a replay wrote something (the dispatcher and the sender look again)
     * @param uncertainCount told the number of calls found in flight in a gone process's journal (counted)
     */
    Replayer(String bot, Offline offline, Path root, String own, DbGate gate, Inbox inbox, Outbox outbox,
             boolean retryUncertain, Duration stepDelay, Runnable onReplayed, LongConsumer uncertainCount) {
        this.bot = bot;
        this.offline = offline;
        this.root = root;
        this.own = own;
        this.gate = gate;
        this.inbox = inbox;
        this.outbox = outbox;
        this.retryUncertain = retryUncertain;
        this.stepDelay = stepDelay;
        this.onReplayed = onReplayed;
        this.uncertainCount = uncertainCount;
    }

    /** Starts the probe (while down) and the periodic look for gone processes' journals. */
    void watch() {
        thread.scheduleWithFixedDelay(this::tick, PROBE_EVERY.toMillis(), PROBE_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(() -> {
            if (!offline.down()) {
                replayOrphansQuietly();
            }
        }, ORPHANS_EVERY.toMillis(), ORPHANS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop() {
        thread.shutdownNow();
    }

    private void tick() {
        if (!offline.down() || !gate.answers(DEADLINE)) {
            return;
        }
        try {
            String held = offline.outboxChats().describe();
            int n = replayOwn();
            log.info("bot '{}': {} update{} of the journal replayed into the database; until then the journal's "
                    + "replies to chats that may have had replies unsent in the outbox waited: {}", bot, n,
                    n == 1 ? "" : "s", held);
            onReplayed.run();
        } catch (Exception e) {
            log.warn("bot '{}': the journal's replay stopped ({}); it runs again from its start when the database "
                    + "answers, nothing written twice", bot, OneLine.of(e));
        }
    }

    /** This process's journal into the database, with every journal write held back meanwhile; then it is emptied. */
    int replayOwn() throws Exception {
        return offline.exclusive(() -> {
            List<JournalFold.Plan> plans = JournalFold.fold(offline.journal().readAll(), false, retryUncertain);
            Map<Long, Long> inOutbox = new HashMap<>();
            Set<Long> dropped = new HashSet<>();
            try {
                for (JournalFold.Plan p : plans) {
                    Map<Long, Long> ids = apply(p);
                    if (ids == null) {
                        // Handled already: by an earlier, cut run of this replay (its calls are in the outbox), or
                        // in the database by another process (its calls here are not sent).
                        long gone = p.calls().stream().map(c -> c.call().callId())
                                .filter(id -> offline.outboxId(id) == null).peek(dropped::add).count();
                        if (gone > 0) {
                            log.warn("bot '{}': update {} was handled in the database already; the {} call(s) its "
                                    + "journal handling queued are not sent from the journal", bot,
                                    p.update().updateId(), gone);
                        }
                    } else {
                        inOutbox.putAll(ids);
                    }
                }
            } finally {
                offline.replayed(inOutbox, dropped); // what is in the outbox now is sent from there, even if cut
            }
            offline.back();
            return plans.size();
        });
    }

    /** Journals of gone processes into the database, each removed once all of it is in. Returns how many updates. */
    int replayOrphans() throws IOException, DbGate.DownException, SQLException, InterruptedException {
        int total = 0;
        for (Journal j : Journal.orphans(root, own)) {
            try {
                List<JournalFold.Plan> plans = JournalFold.fold(j.readAll(), true, retryUncertain);
                long inDoubt = 0;
                for (JournalFold.Plan p : plans) {
                    Map<Long, Long> ids = apply(p);
                    if (ids != null) {
                        inDoubt += p.calls().stream().filter(c -> JournalFold.IN_FLIGHT_AT_EXIT.equals(c.reason())
                                || JournalFold.SENT_ONCE_MORE.equals(c.reason())).count();
                    }
                }
                if (inDoubt > 0) {
                    uncertainCount.accept(inDoubt);
                    log.warn("bot '{}': {} repl{} of a gone process's journal were being sent when it ended: each "
                            + "may or may not have reached Telegram ({})", bot, inDoubt, inDoubt == 1 ? "y" : "ies",
                            retryUncertain ? "sent once more: uncertainSends is retry-once"
                                    : "not sent again: uncertainSends is never");
                }
                log.info("bot '{}': the journal {} of a gone process is replayed ({} updates) and removed", bot,
                        j.dir().getFileName(), plans.size());
                j.delete();
                total += plans.size();
            } finally {
                j.close();
            }
        }
        return total;
    }

    private void replayOrphansQuietly() {
        try {
            if (replayOrphans() > 0) {
                onReplayed.run();
            }
        } catch (Exception e) {
            log.warn("bot '{}': a gone process's journal could not be replayed ({}); tried again later", bot,
                    OneLine.of(e));
        }
    }

    /**
     * One update in one transaction: recorded (unless the inbox has it) and, when it was handled from the journal,
     * marked handled with its calls restored. Returns journal call id → outbox id, or null when the update had been
     * marked handled already (nothing of it written).
     */
    private Map<Long, Long> apply(JournalFold.Plan p) throws DbGate.DownException, SQLException,
            InterruptedException {
        Map<Long, Long> ids = new HashMap<>();
        JournalEntry.Received u = p.update();
        // Calls restored unsent hold their chats' journal calls back, from before their commit (as a handler's do).
        List<Long> unsentChats = new ArrayList<>();
        OutboxChats chats = offline.outboxChats();
        try (Connection c = gate.connection(DEADLINE, NETWORK)) {
            c.setAutoCommit(false);
            try {
                inbox.recordIn(c, new Inbox.Received(u.updateId(), u.kind(), u.chatId(), u.json()));
                if (p.handled()) {
                    if (!inbox.markHandled(c, u.updateId())) {
                        c.rollback();
                        return null;
                    }
                    for (JournalFold.CallState s : p.calls()) {
                        if (s.state() == Outbox.State.QUEUED || s.state() == Outbox.State.SENDING) {
                            chats.opened(s.call().chatId());
                            unsentChats.add(s.call().chatId());
                        }
                        ids.put(s.call().callId(), outbox.restore(c, s.call().chatId(), u.updateId(),
                                s.call().method(), s.call().payloadJson(), s.state(), s.attempts(), s.messageId(),
                                s.reason(), s.resent()));
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException x) {
                    e.addSuppressed(x);
                }
                throw e;
            } finally {
                chats.closed(unsentChats);
            }
        }
        if (!stepDelay.isZero()) {
            TimeUnit.MILLISECONDS.sleep(stepDelay.toMillis()); // test hook only (config journalReplayDelay)
        }
        return ids;
    }
}

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
import java.util.LinkedHashMap;
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
 * from the inbox, and every half minute). Updates go {@link #BATCH} to a transaction (applying one twice writes it
 * once: see {@link JournalFold}), so a replay cut by a crash is simply run again by the next process; a journal is
 * emptied or removed only after all of it is in. Owns its thread ({@code tg-journal}).
 */
final class Replayer {
    private static final Logger log = LoggerFactory.getLogger(Replayer.class);
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    static final Duration ORPHANS_EVERY = Duration.ofSeconds(30);
    static final Duration DEADLINE = Duration.ofSeconds(5);
    static final Duration NETWORK = Duration.ofSeconds(10);
    /** Updates to a transaction: each is a few statements; the commit's fsync is the cost shared. */
    static final int BATCH = 100;
    /** Passes of the copy with nothing held back, at most (each takes what was settled meanwhile). */
    static final int PASSES = 3;

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
            replayOwn();
            onReplayed.run();
        } catch (Exception e) {
            log.warn("bot '{}': the journal's replay stopped ({}); it runs again from its start when the database "
                    + "answers, nothing written twice", bot, OneLine.of(e));
        }
    }

    /**
     * This process's journal into the database, then emptied. Two phases, so that the poller, the handlers and the
     * sender go on journaling while most of it is copied: first, with nothing held back, the updates that are settled
     * (handled, every call sent, failed or in doubt: nothing more is journaled about them), in passes until a pass
     * finds few new ones; then, with every journal write held back ({@link Offline#exclusive}), the rest, and the
     * journal is emptied. Returns how many updates.
     */
    int replayOwn() throws Exception {
        long started = System.nanoTime();
        String held = offline.outboxChats().describe();
        Set<Long> done = new HashSet<>();
        Map<Long, Long> inOutbox = new HashMap<>();
        Set<Long> dropped = new HashSet<>();
        for (int pass = 0; pass < PASSES; pass++) {
            List<JournalFold.Plan> settled = new ArrayList<>();
            for (JournalFold.Plan p : JournalFold.fold(offline.journal().readAll(), false, retryUncertain)) {
                if (settled(p) && !done.contains(p.update().updateId())) {
                    settled.add(p);
                }
            }
            dropHandledBefore(applyAll(settled, inOutbox), dropped);
            settled.forEach(p -> done.add(p.update().updateId()));
            if (settled.size() < BATCH) {
                break;
            }
        }
        long unheld = System.nanoTime();
        int rest = offline.exclusive(() -> {
            List<JournalFold.Plan> plans = new ArrayList<>();
            for (JournalFold.Plan p : JournalFold.fold(offline.journal().readAll(), false, retryUncertain)) {
                if (!done.contains(p.update().updateId())) {
                    plans.add(p);
                }
            }
            try {
                dropHandledBefore(applyAll(plans, inOutbox), dropped);
            } finally {
                offline.replayed(inOutbox, dropped); // what is in the outbox now is sent from there, even if cut
            }
            offline.back();
            return plans.size();
        });
        long end = System.nanoTime();
        log.info("bot '{}': {} updates of the journal replayed into the database in {} ms: {} settled ones while it "
                + "went on taking updates ({} ms), {} with every journal write held back ({} ms); until then the "
                + "journal's replies to chats that may have had replies unsent in the outbox waited: {}", bot,
                done.size() + rest, (end - started) / 1_000_000, done.size(), (unheld - started) / 1_000_000, rest,
                (end - unheld) / 1_000_000, held);
        return done.size() + rest;
    }

    /** Handled, and each of its calls sent, failed or in doubt: nothing more can be journaled about the update. */
    static boolean settled(JournalFold.Plan p) {
        return p.handled() && p.calls().stream().allMatch(c -> c.state() == Outbox.State.SENT
                || c.state() == Outbox.State.FAILED || c.state() == Outbox.State.UNCERTAIN);
    }

    /** Journals of gone processes into the database, each removed once all of it is in. Returns how many updates. */
    int replayOrphans() throws IOException, DbGate.DownException, SQLException, InterruptedException {
        int total = 0;
        for (Journal j : Journal.orphans(root, own)) {
            try {
                List<JournalFold.Plan> plans = JournalFold.fold(j.readAll(), true, retryUncertain);
                Set<Long> handledBefore = applyAll(plans, new HashMap<>()).keySet();
                long inDoubt = 0;
                for (JournalFold.Plan p : plans) {
                    if (!handledBefore.contains(p.update().updateId())) {
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
     * {@code plans} in order, {@link #BATCH} to a transaction (one, when the test hook {@code stepDelay} is set: a kill
     * then lands between updates). The outbox ids of restored calls go to {@code inOutbox} once their transaction is
     * committed. Returns the updates found marked handled already (none of their calls restored), each with the
     * journal ids of its calls not sent yet.
     */
    private Map<Long, List<Long>> applyAll(List<JournalFold.Plan> plans, Map<Long, Long> inOutbox)
            throws DbGate.DownException, SQLException, InterruptedException {
        Map<Long, List<Long>> handledBefore = new LinkedHashMap<>();
        int size = stepDelay.isZero() ? BATCH : 1;
        for (int i = 0; i < plans.size(); i += size) {
            apply(plans.subList(i, Math.min(plans.size(), i + size)), inOutbox, handledBefore);
            if (!stepDelay.isZero()) {
                TimeUnit.MILLISECONDS.sleep(stepDelay.toMillis()); // test hook only (config journalReplayDelay)
            }
        }
        return handledBefore;
    }

    /**
     * Handled already: by an earlier, cut run of this replay (its calls are in the outbox), or in the database by
     * another process (its calls here are not sent: they go to {@code dropped}).
     */
    private void dropHandledBefore(Map<Long, List<Long>> handledBefore, Set<Long> dropped) {
        handledBefore.forEach((update, calls) -> {
            List<Long> gone = calls.stream().filter(id -> offline.outboxId(id) == null).toList();
            dropped.addAll(gone);
            if (!gone.isEmpty()) {
                log.warn("bot '{}': update {} was handled in the database already; the {} call(s) its journal "
                        + "handling queued and did not send are not sent from the journal", bot, update, gone.size());
            }
        });
    }

    /**
     * One transaction: each update recorded (unless the inbox has it) and, when it was handled from the journal,
     * marked handled with its calls restored — unless it was marked handled already: then its calls are not restored
     * (its record was a no-op: the inbox has it). So a batch run twice writes it once.
     */
    private void apply(List<JournalFold.Plan> batch, Map<Long, Long> inOutbox, Map<Long, List<Long>> handledBefore)
            throws DbGate.DownException, SQLException, InterruptedException {
        Map<Long, Long> ids = new HashMap<>();
        Map<Long, List<Long>> found = new LinkedHashMap<>();
        // Calls restored unsent hold their chats' journal calls back, from before their commit (as a handler's do).
        List<Long> unsentChats = new ArrayList<>();
        OutboxChats chats = offline.outboxChats();
        try (Connection c = gate.connection(DEADLINE, NETWORK)) {
            c.setAutoCommit(false);
            try {
                for (JournalFold.Plan p : batch) {
                    JournalEntry.Received u = p.update();
                    inbox.recordIn(c, new Inbox.Received(u.updateId(), u.kind(), u.chatId(), u.json()));
                    if (!p.handled()) {
                        continue;
                    }
                    if (!inbox.markHandled(c, u.updateId())) {
                        found.put(u.updateId(), unfinished(p));
                        continue;
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
        inOutbox.putAll(ids);
        handledBefore.putAll(found);
    }

    /** The journal ids of {@code p}'s calls not sent, failed or in doubt yet. */
    private static List<Long> unfinished(JournalFold.Plan p) {
        return p.calls().stream().filter(s -> s.state() == Outbox.State.QUEUED || s.state() == Outbox.State.SENDING)
                .map(s -> s.call().callId()).toList();
    }
}

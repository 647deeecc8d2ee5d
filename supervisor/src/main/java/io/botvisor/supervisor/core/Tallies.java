package io.botvisor.supervisor.core;

import io.botvisor.ipc.Message;
import io.botvisor.supervisor.process.ProcStats;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the supervisor counts about each bot beyond its {@link Slot}, for status and the metric files: ends by
 * {@link ExitCause}, and totals that survive the bot's restarts (CPU, GC, its counters) — what an ended process last
 * reported is kept and its successor's figures are added — plus when the current process started and when its last
 * heartbeat arrived (the supervisor's clock, not the bot's say). Fed by the shell around each decision, each heartbeat
 * and each /proc sample, it only compares and stores: no I/O. Kept per bot id for the supervisor's lifetime. Loop
 * thread only.
 */
final class Tallies {
    private static final Logger log = LoggerFactory.getLogger(Tallies.class);
    /**
     * Most counter names one bot's totals keep: a heartbeat carries at most {@link Message#MAX_COUNTERS}, but a bot
     * (untrusted code) could name different ones in every process; past this, new names are ignored.
     */
    static final int MAX_NAMES = Message.MAX_COUNTERS;
    /**
     * Figures that are levels, not counts: they do not add up across processes. The pool's, and the Telegram
     * runtime's queues (outbox depth, the oldest unsent reply's age, updates recorded but not yet handled, records of
     * its local journal not yet replayed into the database and the oldest one's age).
     */
    static final Set<String> LEVELS = Set.of("db.poolMax", "db.poolOpen", "db.poolPeak", "db.poolWaiting",
            "db.contendedAtMax", "telegram_outbox_depth", "telegram_oldest_unsent_seconds", "telegram_inbox_lag",
            "telegram_journal_depth", "telegram_journal_oldest_seconds");
    private static final ExitCause[] CAUSES = ExitCause.values();

    private final Clock wall;
    private final Map<String, Tally> tallies = new HashMap<>();

    Tallies(Clock wall) {
        this.wall = wall;
    }

    /** One bot's figures. */
    private static final class Tally {
        final long[] exits = new long[CAUSES.length];
        /** Counters of the processes that ended. */
        final Map<String, Long> base = new HashMap<>();
        /** The highest total shown so far, by name: what is shown never goes down, whatever a bot reports. */
        final Map<String, Long> shown = new HashMap<>();
        long gcBaseMillis;
        long gcShownMillis;
        long cpuBaseTicks;
        long cpuShownTicks;
        long cpuGen;
        long cpuTicks;
        long startGen;
        long startMillis;
        long heartbeatGen;
        long heartbeatMillis;
        boolean namesCapped;
    }

    private Tally of(String bot) {
        return tallies.computeIfAbsent(bot, b -> new Tally());
    }

    /** After a decision took {@code bot} from {@code before} to {@code after}. */
    void step(String bot, Slot before, Slot after) {
        Incarnation was = before.current();
        Incarnation now = after.current();
        boolean ended = was != null && (now == null || now.gen() != was.gen());
        boolean started = now != null && now.pid() != 0 && (was == null || was.gen() != now.gen() || was.pid() == 0);
        LastExit exit = after.lastExit();
        boolean counted = exit != before.lastExit() && exit != null && exit.cause() != null;
        if (!ended && !started && !counted) {
            return;
        }
        Tally t = of(bot);
        if (ended) {
            fold(bot, t, was);
        }
        if (started) {
            t.startGen = now.gen();
            t.startMillis = wall.millis();
        }
        if (counted) {
            t.exits[exit.cause().ordinal()]++;
        }
    }

    /** A bot a reload removed: its totals go with it (a bot of that id added later counts from zero). */
    void forget(String bot) {
        tallies.remove(bot);
    }

    /** A heartbeat of the bot's current process {@code gen} arrived now. */
    void heartbeat(String bot, long gen) {
        Tally t = of(bot);
        t.heartbeatGen = gen;
        t.heartbeatMillis = wall.millis();
    }

    /** A /proc sample of process {@code gen}: its CPU ticks so far (-1: unknown); ignored unless it is current. */
    void sample(String bot, Slot slot, long gen, long cpuTicks) {
        if (cpuTicks >= 0 && slot.isCurrent(gen)) {
            Tally t = of(bot);
            t.cpuGen = gen;
            t.cpuTicks = cpuTicks;
        }
    }

    /** An ended process's last figures join the bot's totals. */
    private void fold(String bot, Tally t, Incarnation was) {
        if (t.cpuGen == was.gen()) {
            t.cpuBaseTicks += t.cpuTicks;
            t.cpuTicks = 0;
            t.cpuGen = 0;
        }
        Message.Heartbeat hb = was.health().lastHeartbeat();
        if (hb == null) {
            return;
        }
        t.gcBaseMillis += Math.max(0, hb.gcTimeMillis());
        hb.counters().forEach((name, value) -> {
            if (LEVELS.contains(name) || value <= 0) {
                return;
            }
            if (!t.base.containsKey(name) && t.base.size() >= MAX_NAMES) {
                capped(bot, t, name);
                return;
            }
            t.base.merge(name, value, Long::sum);
        });
    }

    private static void capped(String bot, Tally t, String name) {
        if (!t.namesCapped) {
            t.namesCapped = true;
            log.warn("bot '{}': its processes reported more than {} counter names in all; '{}' and later new names are "
                    + "left out of its totals", bot, MAX_NAMES, name);
        }
    }

    /** The bot as status and the metric files show it, at {@code nowNanos}. */
    BotStatus status(Slot s, long nowNanos) {
        Incarnation c = s.current();
        Health h = c == null ? Health.NONE : c.health();
        Message.Heartbeat hb = h.lastHeartbeat();
        Tally t = of(s.id());
        boolean scored = s.state() == ChildState.RUNNING && h.score() >= 0;
        boolean hasPid = c != null && c.pid() != 0;
        return new BotStatus(s.id(), s.state(), s.spec().isCommand(), hasPid ? c.pid() : null,
                scored ? h.score() : null, scored ? h.reasons() : List.of(), s.restartsTotal(),
                s.restartsInWindow(nowNanos), Math.max(0, (nowNanos - s.sinceNanos()) / 1_000_000),
                c != null && h.rssBytes() >= 0 ? h.rssBytes() : null, s.failedReason(), s.lastExit(),
                hb == null ? Map.of() : hb.counters(),
                hasPid && t.startGen == c.gen() ? t.startMillis : null,
                c != null && hb != null && t.heartbeatGen == c.gen() ? t.heartbeatMillis : null,
                hb != null && hb.heapUsed() >= 0 ? hb.heapUsed() : null,
                hb != null && hb.heapMax() > 0 ? hb.heapMax() : null,
                totals(s.id(), t, c, hb, s.spec().isCommand()),
                s.handover() == null ? null : new BotStatus.Handover(s.handover().phase().name().toLowerCase(
                        java.util.Locale.ROOT), s.successor() == null || s.successor().pid() == 0 ? null
                        : s.successor().pid(), s.handover().reason()));
    }

    private BotStatus.Totals totals(String bot, Tally t, Incarnation c, Message.Heartbeat hb, boolean command) {
        Map<ExitCause, Long> exits = new EnumMap<>(ExitCause.class);
        for (ExitCause cause : CAUSES) {
            exits.put(cause, t.exits[cause.ordinal()]);
        }
        long cpu = t.cpuBaseTicks + (c != null && t.cpuGen == c.gen() ? t.cpuTicks : 0);
        t.cpuShownTicks = Math.max(t.cpuShownTicks, cpu);
        t.gcShownMillis = Math.max(t.gcShownMillis, t.gcBaseMillis + (hb == null ? 0 : Math.max(0, hb.gcTimeMillis())));
        Map<String, Long> counters = new TreeMap<>();
        t.base.forEach((name, value) -> counters.put(name, value));
        if (hb != null) {
            hb.counters().forEach((name, value) -> {
                if (LEVELS.contains(name) || value <= 0) {
                    return;
                }
                if (!counters.containsKey(name) && counters.size() >= MAX_NAMES) {
                    capped(bot, t, name);
                    return;
                }
                counters.merge(name, value, Long::sum);
            });
        }
        counters.replaceAll((name, total) -> {
            long shown = Math.max(total, t.shown.getOrDefault(name, 0L));
            t.shown.put(name, shown);
            return shown;
        });
        // A name shown once stays (at its highest) even when no process reports it any more.
        t.shown.forEach(counters::putIfAbsent);
        return new BotStatus.Totals(exits, t.cpuShownTicks / (double) ProcStats.TICKS_PER_SECOND,
                command ? null : t.gcShownMillis / 1000.0, counters);
    }
}

package io.botvisor.supervisor.db;

import io.botvisor.supervisor.config.Specs;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lends the fleet's connection budget to its bots' pools while they run. Every bot is guaranteed one connection; a
 * pool whose borrowers found it full grows, one step per report, up to {@code pools.maxPerBot}, from what the other
 * bots leave; a pool that used fewer than its grant for {@code pools.shrinkAfter} is cut back to what it used.
 *
 * <p>The server enforces it: each bot's role has a {@code CONNECTION LIMIT}, and the sum of the limits never exceeds
 * the budget. A raise sets the role's limit first and then tells the child its pool's new maximum; a cut tells the
 * child first and lowers the limit only once the child's heartbeat shows the pool applied it and is within it. A
 * bot's reservation is the highest of its limit, a limit being set and its grant, so the budget is never
 * over-promised while an order is in flight. A child that exits starts over at one.
 *
 * <p>Confined to the supervisor's loop: every method runs there, and the answers of {@link Limits} are handed back
 * through the loop's executor.
 */
public final class ConnectionBroker {
    private static final Logger log = LoggerFactory.getLogger(ConnectionBroker.class);
    /** Every bot's guaranteed connection, and where each new child's pool starts. */
    public static final int GUARANTEED = 1;
    /** After a limit could not be set (the database is down), the bot's next order waits this long. */
    static final long RETRY_PAUSE_NANOS = 5_000_000_000L;

    /** Sets a role's CONNECTION LIMIT, later, and reports whether it did (on any thread). */
    public interface Limits {
        void set(String role, int limit, java.util.function.Consumer<Boolean> done);
    }

    /** Tells a bot's running child its pool's new maximum; false when the bot has no running child to tell. */
    public interface Children {
        boolean grant(String bot, int maxConnections);
    }

    private final int budget;
    private final int maxPerBot;
    private final long shrinkAfterNanos;
    private final Limits limits;
    private final Executor loop;
    private final LongSupplier nanos;
    private final Map<String, Share> shares = new LinkedHashMap<>();
    private Children children = (bot, n) -> false;

    /**
     * @param roles the bots that have a database, by name, with their role; every role's limit is
     *              {@link #GUARANTEED} when the broker starts (registration sets it)
     */
    public ConnectionBroker(int budget, Specs.Pools pools, Map<String, String> roles, Limits limits, Executor loop,
                            LongSupplier nanos) {
        if (budget < roles.size() * GUARANTEED) {
            throw new IllegalArgumentException("budget " + budget + " is below the " + roles.size() + " bots");
        }
        this.budget = budget;
        this.maxPerBot = pools.maxPerBot();
        this.shrinkAfterNanos = pools.shrinkAfter().toNanos();
        this.limits = limits;
        this.loop = loop;
        this.nanos = nanos;
        roles.forEach((bot, role) -> shares.put(bot, new Share(bot, role, maxPerBot)));
    }

    /** A broker for a fleet without a database: it lends nothing and ignores every report. */
    public static ConnectionBroker none() {
        return new ConnectionBroker(0, new Specs.Pools(1, java.time.Duration.ofSeconds(1)), Map.of(),
                (role, limit, done) -> done.accept(false), Runnable::run, () -> 0);
    }

    /** Whether any bot borrows from this broker. */
    public boolean lends() {
        return !shares.isEmpty();
    }

    /** Who delivers grants to children (the supervisor, once it exists). */
    public void deliverThrough(Children children) {
        this.children = children;
    }

    /**
     * A bot a reload added, with its role: guaranteed one connection from then on. False, and nothing changes, when the
     * budget cannot guarantee one to every bot. Other bots' borrowed connections are not taken back at once: they are
     * cut as their pools go idle, and nothing more is lent until the budget has room again (meanwhile the roles'
     * limits may exceed the budget by the bots added).
     */
    public boolean admit(String bot, String role) {
        if (shares.containsKey(bot)) {
            return true;
        }
        if ((shares.size() + 1) * GUARANTEED > budget) {
            return false;
        }
        shares.put(bot, new Share(bot, role, maxPerBot));
        return true;
    }

    /** Whether the budget can guarantee a connection to {@code more} bots beyond those it lends to now. */
    public boolean hasRoomFor(int more) {
        return (shares.size() + more) * GUARANTEED <= budget;
    }

    /** A bot a reload removed, once its child is gone: what it held returns to the budget. */
    public void release(String bot) {
        shares.remove(bot);
    }

    // ---- what the supervisor reports ------------------------------------------------------------------------------

    /** A new child of the bot was spawned: its pool starts at the guaranteed size. */
    public void childStarted(String bot, long now) {
        Share s = shares.get(bot);
        if (s != null) {
            s.newChild(true, now);
        }
    }

    /**
     * A handover's successor starts beside the bot's running child, which may hold every connection its role's limit
     * allows: the role gets one more for the successor (not the running child's pool), from the budget's spare or,
     * when a busy fleet has lent it all, beyond the budget: the successor cannot start without one (it would wait for
     * its predecessor, which waits for it), and at most one such loan per handover in progress (startConcurrency at
     * once) stays within the server's headroom over the budget. While the budget is overdrawn nothing more is lent.
     * The loan ends when the successor takes over ({@link #childStarted}) or goes ({@link #successorGone}); the
     * limit comes down as after a cut.
     */
    public void successorStarting(String bot) {
        Share s = shares.get(bot);
        if (s == null || s.loan > 0) {
            return;
        }
        if (budget - reserved() < 1) {
            log.info("database: bot '{}''s handover successor gets a connection beyond the budget of {} (all of it "
                    + "is lent); returned when the handover ends", bot, budget);
        }
        s.loan = 1;
        if (s.pending == 0) {
            setLimit(s, s.reserved());
        }
    }

    /** The handover's successor is gone and the bot's running child stays: the loan returns to the budget. */
    public void successorGone(String bot) {
        Share s = shares.get(bot);
        if (s != null) {
            s.loan = 0;
        }
    }

    /** The bot's child exited: its connections are gone with it. */
    public void childGone(String bot, long now) {
        Share s = shares.get(bot);
        if (s != null) {
            s.newChild(false, now);
        }
    }

    /**
     * A heartbeat's counters (the pool's {@code db.*} figures; see the runner's Context). A pool that reports the
     * maximum it was granted and whose borrowers found it full at that maximum since the last report (or wait now)
     * wants more.
     */
    public void onUsage(String bot, Map<String, Long> counters, long now) {
        Share s = shares.get(bot);
        Long max = counters.get("db.poolMax");
        if (s == null || max == null || !s.running) {
            return;
        }
        // Contention counts only at the pool's current maximum: what happened before a resize was already answered.
        long contended = counters.getOrDefault("db.contendedAtMax", 0L);
        boolean newlyContended = contended > (max.intValue() == s.applied ? s.contended : 0);
        s.applied = max.intValue();
        s.open = counters.getOrDefault("db.poolOpen", 0L).intValue();
        // Borrowers wait while a pool below its maximum opens a connection, too: only a full pool's waiters count.
        int waiting = s.open >= s.applied ? counters.getOrDefault("db.poolWaiting", 0L).intValue() : 0;
        s.contended = contended;
        s.recordPeak(counters.getOrDefault("db.poolPeak", 0L).intValue(), now);
        s.wanted = s.applied == s.grant && (waiting > 0 || newlyContended) ? Math.max(1, waiting) : 0;
    }

    // ---- deciding ---------------------------------------------------------------------------------------------

    /** Cuts idle grants, lowers limits that children no longer need, then lends what is left to waiting pools. */
    public void rebalance(long now) {
        for (Share s : shares.values()) {
            if (s.running && s.pending == 0 && s.grant > GUARANTEED && s.applied == s.grant
                    && now - s.grantSince >= shrinkAfterNanos) {
                int used = Math.max(GUARANTEED, s.peakWithin(now, shrinkAfterNanos));
                if (used < s.grant && children.grant(s.bot, used)) {
                    log.debug("database: bot '{}' used at most {} of {} connections for {} ms; cut to {}", s.bot, used,
                            s.grant, shrinkAfterNanos / 1_000_000, used);
                    s.setGrant(used, now);
                }
            }
            if (s.pending == 0 && s.limit > s.grant + s.loan && now >= s.quietUntil
                    && (!s.running || (s.applied == s.grant && s.open <= s.grant))) {
                setLimit(s, s.grant + s.loan);
            } else if (s.pending == 0 && s.limit < s.grant + s.loan && now >= s.quietUntil) {
                // A loan whose raise was not made: an order was in flight when the successor started, or it failed.
                setLimit(s, s.grant + s.loan);
            }
        }
        lend(now);
    }

    /** Water-filling: the smallest pools first, one connection per round, while the budget has some left. */
    private void lend(long now) {
        List<Share> wanting = null;
        for (Share s : shares.values()) {
            if (s.running && s.wanted > 0 && s.pending == 0 && s.grant < maxPerBot && now >= s.quietUntil) {
                if (wanting == null) {
                    wanting = new ArrayList<>();
                }
                wanting.add(s);
            }
        }
        if (wanting == null) {
            return;
        }
        int spare = budget - reserved();
        wanting.sort(Comparator.comparingInt(s -> s.grant));
        Map<Share, Integer> target = new LinkedHashMap<>();
        wanting.forEach(s -> target.put(s, s.grant));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Share s : wanting) {
                int t = target.get(s);
                if (t >= Math.min(maxPerBot, s.grant + s.wanted)) {
                    continue;
                }
                // A limit not yet lowered is already counted; a handover's loan is not the running pool's to take.
                boolean free = t + 1 + s.loan <= s.reserved();
                if (free || spare > 0) {
                    spare -= free ? 0 : 1;
                    target.put(s, t + 1);
                    grew = true;
                }
            }
        }
        target.forEach((s, t) -> {
            s.wanted = 0;
            if (t <= s.grant) {
                return;
            }
            if (t + s.loan <= s.limit) {
                if (children.grant(s.bot, t)) {
                    s.setGrant(t, now);
                }
            } else {
                setLimit(s, t + s.loan);
            }
        });
    }

    private void setLimit(Share s, int limit) {
        s.pending = limit;
        long epoch = s.epoch;
        limits.set(s.role, limit, ok -> loop.execute(() -> limitSet(s, limit, epoch, ok)));
    }

    private void limitSet(Share s, int limit, long epoch, boolean ok) {
        s.pending = 0;
        if (!ok) {
            s.quietUntil = nanos.getAsLong() + RETRY_PAUSE_NANOS;
            return;
        }
        s.limit = limit;
        int forPool = limit - s.loan; // the rest is a handover successor's
        if (forPool > s.grant && s.running && s.epoch == epoch && children.grant(s.bot, forPool)) {
            log.debug("database: bot '{}' granted {} connections", s.bot, forPool);
            s.setGrant(forPool, nanos.getAsLong());
        }
    }

    // ---- reading ----------------------------------------------------------------------------------------------

    /** Connections promised now: each bot's limit, a limit being set, or its grant, whichever is highest. */
    public int reserved() {
        int sum = 0;
        for (Share s : shares.values()) {
            sum += s.reserved();
        }
        return sum;
    }

    public int budget() {
        return budget;
    }

    /** The budget, what is reserved of it, and each bot's grant and role limit (for status). */
    public View view() {
        Map<String, Grant> grants = new LinkedHashMap<>();
        shares.forEach((bot, s) -> grants.put(bot, new Grant(s.grant, s.limit, s.pending)));
        return new View(budget, reserved(), grants);
    }

    /** A snapshot for {@code ctl status}. Immutable. */
    public record View(int budget, int reserved, Map<String, Grant> grants) {
        public View {
            grants = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(grants));
        }
    }

    /** A bot's pool maximum, its role's CONNECTION LIMIT, and a limit being set (0: none). */
    public record Grant(int grant, int limit, int pending) {
    }

    /** One bot's part of the budget. Loop-confined. */
    private static final class Share {
        final String bot;
        final String role;
        private static final long NEVER = Long.MIN_VALUE;
        /** lastAtLeast[k]: when the pool last had k or more connections in use ({@link #NEVER}: not this child). */
        final long[] lastAtLeast;
        int limit = GUARANTEED;
        int pending;
        int grant = GUARANTEED;
        long grantSince;
        /** No order for this bot before this time (a failed one is not retried on every tick). */
        long quietUntil = Long.MIN_VALUE;
        int applied;
        int open;
        long contended;
        int wanted;
        boolean running;
        long epoch;
        /** Connections lent to a handover's successor (0 or 1), above the running child's grant. */
        int loan;

        Share(String bot, String role, int maxPerBot) {
            this.bot = bot;
            this.role = role;
            this.lastAtLeast = new long[maxPerBot + 1];
            java.util.Arrays.fill(lastAtLeast, NEVER);
        }

        void newChild(boolean running, long now) {
            this.running = running;
            epoch++;
            loan = 0;
            grant = GUARANTEED;
            grantSince = now;
            applied = GUARANTEED;
            open = 0;
            contended = 0;
            wanted = 0;
            java.util.Arrays.fill(lastAtLeast, NEVER);
        }

        void setGrant(int grant, long now) {
            this.grant = grant;
            this.grantSince = now;
        }

        void recordPeak(int peak, long now) {
            for (int k = 1; k <= Math.min(peak, lastAtLeast.length - 1); k++) {
                lastAtLeast[k] = now;
            }
        }

        /** The most connections in use at once within {@code window} before {@code now}. */
        int peakWithin(long now, long window) {
            for (int k = lastAtLeast.length - 1; k >= 1; k--) {
                if (lastAtLeast[k] != NEVER && now - lastAtLeast[k] < window) {
                    return k;
                }
            }
            return 0;
        }

        int reserved() {
            return Math.max(Math.max(limit, pending), grant + loan);
        }
    }
}

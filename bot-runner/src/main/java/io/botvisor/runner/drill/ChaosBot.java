package io.botvisor.runner.drill;

import io.botvisor.ipc.Units;
import io.botvisor.runner.Bot;
import io.botvisor.runner.BotConfigException;
import io.botvisor.runner.BotContext;
import io.botvisor.runner.SelfCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in drill bot ({@code type: chaos}): fails on purpose so operators can rehearse and tests can prove what
 * the supervisor does. With no config it idles. Keys: {@code crashAfter}, {@code exitCode}, {@code hangAfter} (the
 * work loop blocks forever, the JVM lives), {@code leakPerSecond} (heap grows), {@code startupDelay},
 * {@code unhealthyAfter} (self-check fails), {@code ignoreStop} (stop never returns), {@code grandchild} (spawns
 * {@code sleep 3600} holding our stdout), {@code dbWriteEvery} (writes a row to {@code bot_metrics} through the
 * bot's own pool, off the work thread, counting {@code dbWrites}, {@code dbWaitMillis} for connections and
 * {@code errors}), with {@code dbWriters} (that many writers at once, default 1), {@code dbHold} (each write holds
 * its connection this long first, with {@code pg_sleep}) and {@code dbWriteFor} (writing stops after this long):
 * together they make a pool want more connections, then none; {@code logEvery} (an INFO and a DEBUG line through
 * SLF4J each time, for {@code ctl loglevel}). Its work runs on the context's executor, as a real bot's should.
 * <p>{@code logEvery} and {@code unhealthyAfter} can change while it runs ({@link #reconfigure}); a change of any other
 * key needs a restart.
 * <p>An unknown key or a value that does not parse fails the start with a {@link BotConfigException} (exit 78: the
 * supervisor does not restart it). Confined: start, then stop, called by the runtime; {@code selfCheck}, the ticks and
 * {@code reconfigure} run on the work thread.
 */
public final class ChaosBot implements Bot {
    static final Set<String> KEYS = Set.of("crashAfter", "exitCode", "hangAfter", "leakPerSecond", "startupDelay",
            "unhealthyAfter", "ignoreStop", "grandchild", "dbWriteEvery", "dbWriters", "dbHold", "dbWriteFor", "logEvery");
    /** The keys {@link #reconfigure} applies while the bot runs. */
    static final Set<String> LIVE_KEYS = Set.of("logEvery", "unhealthyAfter");
    private static final Logger log = LoggerFactory.getLogger(ChaosBot.class);
    private static final Duration TICK = Duration.ofMillis(100);

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final List<byte[]> leaked = new ArrayList<>();
    private Duration crashAfter;
    private Duration hangAfter;
    private volatile Duration unhealthyAfter;
    private long leakPerTick;
    private int exitCode;
    private boolean ignoreStop;
    private volatile long startedNanos;
    private ScheduledFuture<?> ticks;
    private ScheduledExecutorService dbThread;
    private final AtomicLong dbWrites = new AtomicLong();
    private volatile long lastWriteMicros = -1;
    private Duration dbHold = Duration.ZERO;
    private BotContext ctx;
    /** What the bot runs with; after start, the work thread's (reconfigure runs there). */
    private Map<String, String> config;
    private volatile ScheduledFuture<?> logTicks;
    private final AtomicLong logLines = new AtomicLong();

    @Override
    public void start(BotContext ctx) throws Exception {
        Map<String, String> c = ctx.config();
        checkKeys(c);
        this.ctx = ctx;
        this.config = Map.copyOf(c);
        crashAfter = ctx.durationConfig("crashAfter", null);
        hangAfter = ctx.durationConfig("hangAfter", null);
        unhealthyAfter = ctx.durationConfig("unhealthyAfter", null);
        exitCode = intConfig(c, "exitCode", 1, 0, 255);
        leakPerTick = sizeConfig(c, "leakPerSecond") * TICK.toMillis() / 1000;
        ignoreStop = booleanConfig(c, "ignoreStop");
        Duration startupDelay = ctx.durationConfig("startupDelay", Duration.ZERO);
        if (booleanConfig(c, "grandchild")) {
            Process p = new ProcessBuilder("sleep", "3600").inheritIO().start();
            System.out.println("chaos: started grandchild pid " + p.pid());
        }
        if (!startupDelay.isZero()) {
            System.out.println("chaos: delaying startup by " + Units.format(startupDelay));
            // Waits on the stop latch rather than sleeping, so a stop during the delay ends it.
            stopRequested.await(startupDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
        startedNanos = System.nanoTime();
        if (crashAfter != null || hangAfter != null || unhealthyAfter != null || leakPerTick > 0) {
            ticks = ctx.executor().scheduleAtFixedRate(() -> tick(ctx), 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        } // else it idles: nothing to do, so no wake-ups (an idle fleet's CPU is 200 times each bot's)
        Duration dbWriteEvery = ctx.durationConfig("dbWriteEvery", null);
        if (dbWriteEvery != null) {
            DataSource ds = ctx.database().orElseThrow(() -> new BotConfigException("config.dbWriteEvery is set but "
                    + "the fleet has no database (set database.enabled: true, or remove dbWriteEvery)"));
            int writers = intConfig(c, "dbWriters", 1, 1, 64);
            dbHold = ctx.durationConfig("dbHold", Duration.ZERO);
            Duration writeFor = ctx.durationConfig("dbWriteFor", null);
            // Off the work thread: waiting for a connection must not stop the heartbeats.
            dbThread = Executors.newScheduledThreadPool(writers, r -> {
                Thread t = new Thread(r, "chaos-db-" + ctx.botId());
                t.setDaemon(true);
                return t;
            });
            List<ScheduledFuture<?>> writes = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                // One metric name per writer: the primary key is (bot, name, time) and writers can meet in a microsecond.
                String metric = i == 0 ? "chaos.write" : "chaos.write." + i;
                writes.add(dbThread.scheduleWithFixedDelay(() -> writeRow(ctx, ds, metric), 0, dbWriteEvery.toMillis(),
                        TimeUnit.MILLISECONDS));
            }
            if (writeFor != null) {
                dbThread.schedule(() -> {
                    writes.forEach(w -> w.cancel(false));
                    System.out.println("chaos: stopped writing after " + Units.format(writeFor));
                }, writeFor.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        logEvery(durationConfig(c, "logEvery"));
        System.out.println("chaos: started with " + new TreeMap<>(c));
    }

    private static void checkKeys(Map<String, String> c) {
        Set<String> unknown = new TreeSet<>(c.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new BotConfigException("config has keys the chaos bot does not know: " + unknown
                    + " (expected some of " + new TreeSet<>(KEYS) + ")");
        }
    }

    /**
     * Applies a change of {@code logEvery} and {@code unhealthyAfter} at once; a change of any other key needs a
     * restart (false). A bad value fails it whole: nothing is half-applied.
     */
    @Override
    public boolean reconfigure(Map<String, String> newConfig) {
        checkKeys(newConfig);
        Set<String> changed = new TreeSet<>(config.keySet());
        changed.addAll(newConfig.keySet());
        changed.removeIf(k -> Objects.equals(config.get(k), newConfig.get(k)));
        Set<String> needRestart = new TreeSet<>(changed);
        needRestart.removeAll(LIVE_KEYS);
        if (!needRestart.isEmpty()) {
            System.out.println("chaos: a change of " + needRestart + " needs a restart");
            return false;
        }
        Duration every = durationConfig(newConfig, "logEvery");
        Duration unhealthy = durationConfig(newConfig, "unhealthyAfter");
        unhealthyAfter = unhealthy;
        logEvery(every);
        config = Map.copyOf(newConfig);
        System.out.println("chaos: reconfigured with " + new TreeMap<>(newConfig));
        return true;
    }

    /** Logs an INFO and a DEBUG line every {@code every} (none: no lines), on the work thread. */
    private void logEvery(Duration every) {
        if (logTicks != null) {
            logTicks.cancel(false);
            logTicks = null;
        }
        if (every != null && !every.isZero()) {
            logTicks = ctx.executor().scheduleAtFixedRate(() -> {
                long n = logLines.incrementAndGet();
                log.info("chaos: info line {}", n);
                log.debug("chaos: debug line {}", n);
            }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** One row into bot_metrics as the bot's own role; the policy lets it see (and name) only its own bots row. */
    private void writeRow(BotContext ctx, DataSource ds, String metric) {
        long t0 = System.nanoTime();
        try (Connection c = ds.getConnection()) {
            ctx.count("dbWaitMillis", (System.nanoTime() - t0) / 1_000_000);
            if (!dbHold.isZero()) {
                try (PreparedStatement hold = c.prepareStatement("SELECT pg_sleep(?)")) {
                    hold.setDouble(1, dbHold.toMillis() / 1000.0);
                    hold.execute();
                }
            }
            // Each row carries the previous write's latency (connection wait + insert), for benchmarks to read back.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO botvisor.bot_metrics (bot_id, name, at, value, "
                    + "labels) SELECT bot_id, ?, clock_timestamp(), ?, jsonb_build_object("
                    + "'prevLatencyMicros', ?::bigint) FROM botvisor.bots")) {
                ps.setString(1, metric);
                ps.setLong(2, dbWrites.incrementAndGet());
                ps.setLong(3, lastWriteMicros);
                if (ps.executeUpdate() != 1) {
                    throw new SQLException("the bots table shows this role no row of its own");
                }
            }
            lastWriteMicros = (System.nanoTime() - t0) / 1000;
            ctx.count("dbWrites", 1);
        } catch (SQLException | RuntimeException e) {
            ctx.count("errors", 1);
            System.out.println("chaos: database write failed: " + e);
        }
    }

    private void tick(BotContext ctx) {
        Duration up = Duration.ofNanos(System.nanoTime() - startedNanos);
        ctx.count("ticks", 1);
        if (crashAfter != null && up.compareTo(crashAfter) >= 0) {
            System.out.println("chaos: crashing with exit code " + exitCode + " after " + Units.format(crashAfter));
            System.out.flush();
            Runtime.getRuntime().halt(exitCode);
        }
        if (hangAfter != null && up.compareTo(hangAfter) >= 0) {
            System.out.println("chaos: hanging the work loop after " + Units.format(hangAfter));
            System.out.flush();
            blockForever();
        }
        if (leakPerTick > 0) {
            leaked.add(new byte[(int) leakPerTick]);
            ctx.count("leakedBytes", leakPerTick);
        }
    }

    @Override
    public void stop(Duration deadline) {
        stopRequested.countDown();
        if (ignoreStop) {
            System.out.println("chaos: ignoring stop");
            System.out.flush();
            blockForever();
        }
        if (ticks != null) {
            ticks.cancel(false);
        }
        ScheduledFuture<?> lines = logTicks;
        if (lines != null) {
            lines.cancel(false);
        }
        if (dbThread != null) {
            dbThread.shutdownNow();
        }
        System.out.println("chaos: stopped");
    }

    @Override
    public SelfCheck selfCheck() {
        if (unhealthyAfter != null && System.nanoTime() - startedNanos >= unhealthyAfter.toNanos()) {
            return SelfCheck.failing("chaos: unhealthy after " + Units.format(unhealthyAfter));
        }
        return SelfCheck.passing();
    }

    /** {@code true} or {@code false}, nothing else: a typo must not silently mean {@code false}. */
    private static boolean booleanConfig(Map<String, String> c, String key) {
        String v = c.getOrDefault(key, "false").trim();
        if (!v.equals("true") && !v.equals("false")) {
            throw new BotConfigException("config." + key + " \"" + v + "\" is not a boolean (expected true or false)");
        }
        return v.equals("true");
    }

    private static int intConfig(Map<String, String> c, String key, int fallback, int min, int max) {
        String v = c.get(key);
        if (v == null) {
            return fallback;
        }
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new BotConfigException("config." + key + " \"" + v + "\" is not an integer (expected " + min + " to "
                    + max + ")", e);
        }
        if (n < min || n > max) {
            throw new BotConfigException("config." + key + " " + n + " is out of range (expected " + min + " to "
                    + max + ")");
        }
        return n;
    }

    /** As {@link BotContext#durationConfig}, for a configuration the context does not hold yet; null when absent. */
    private static Duration durationConfig(Map<String, String> c, String key) {
        String v = c.get(key);
        if (v == null) {
            return null;
        }
        try {
            return Units.duration(v);
        } catch (IllegalArgumentException e) {
            throw new BotConfigException("config." + key + " " + e.getMessage(), e);
        }
    }

    /** A size in bytes, 0 when absent. */
    private static long sizeConfig(Map<String, String> c, String key) {
        String v = c.get(key);
        if (v == null) {
            return 0;
        }
        long n;
        try {
            n = Units.bytes(v);
        } catch (IllegalArgumentException e) {
            throw new BotConfigException("config." + key + " " + e.getMessage(), e);
        }
        if (n < 0) {
            throw new BotConfigException("config." + key + " \"" + v + "\" is negative (expected a size, e.g. 1m)");
        }
        return n;
    }

    private static void blockForever() {
        CountDownLatch never = new CountDownLatch(1);
        while (true) {
            try {
                never.await();
            } catch (InterruptedException e) {
                // A drill hang is meant to survive interrupts, as a real stuck call often does.
            }
        }
    }

}

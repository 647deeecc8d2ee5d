package io.botvisor.runner.internal;

import io.botvisor.ipc.ChildSpec;
import io.botvisor.ipc.Units;
import io.botvisor.runner.BotConfigException;
import io.botvisor.runner.BotContext;
import io.botvisor.storage.BotPool;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** The runtime's {@link BotContext}. Thread-safe; owns the bot's work thread. */
final class Context implements BotContext {
    /** What {@code Message.Heartbeat} can carry as a counter name. */
    private static final Pattern COUNTER_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private final ChildSpec spec;
    /** The spec's config until a reconfigure applied another. */
    private volatile Map<String, String> config;
    private final ScheduledExecutorService executor;
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private BotPool pool;
    /** The pool's maximum as the supervisor last granted it (the spec's size until the first grant). */
    private int grant;

    Context(ChildSpec spec) {
        this.spec = spec;
        this.config = spec.config();
        this.grant = spec.db() == null ? 0 : spec.db().poolSize();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bot-" + spec.botId());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String botId() {
        return spec.botId();
    }

    @Override
    public Map<String, String> config() {
        return config;
    }

    /** The configuration the bot now runs with: a reconfigure applied it. */
    void reconfigured(Map<String, String> applied) {
        config = Map.copyOf(applied);
    }

    @Override
    public Duration durationConfig(String key, Duration fallback) {
        String v = config.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Units.duration(v);
        } catch (IllegalArgumentException e) {
            // Without the bot's id: the runtime's log line and the supervisor's both start with it.
            throw new BotConfigException("config." + key + " " + e.getMessage(), e);
        }
    }

    @Override
    public boolean standby() {
        return "1".equals(System.getenv(ChildSpec.ENV_STANDBY));
    }

    @Override
    public Map<String, String> telegram() {
        return spec.telegram();
    }

    @Override
    public ScheduledExecutorService executor() {
        return executor;
    }

    @Override
    public void count(String counter, long delta) {
        counters.computeIfAbsent(counter, Context::newCounter).addAndGet(delta);
    }

    /** Checked at the bot's call, not at the next heartbeat: a name the heartbeat cannot carry would stop them. */
    private static AtomicLong newCounter(String name) {
        if (!COUNTER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("counter name \"" + name + "\" is not valid (expected "
                    + COUNTER_NAME.pattern() + ", e.g. messagesSent)");
        }
        return new AtomicLong();
    }

    @Override
    public synchronized Optional<DataSource> database() {
        ChildSpec.Db db = spec.db();
        if (db == null) {
            return Optional.empty();
        }
        if (pool == null) {
            pool = BotPool.open(spec.botId(), db.url(), db.user(), db.passwordFile(), grant);
        }
        return Optional.of(pool.dataSource());
    }

    /** The supervisor's grant: the pool's new maximum (applied now if the pool is open, else when it opens). */
    synchronized void grantConnections(int maxConnections) {
        if (spec.db() == null || maxConnections < 1) {
            return;
        }
        grant = maxConnections;
        if (pool != null) {
            pool.resize(maxConnections);
        }
    }

    /** Closes the pool, if one was opened. */
    synchronized void closeDatabase() {
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }

    /**
     * The bot's counters, and with a database the pool's figures under {@code db.*} (the supervisor grants
     * connections from them): {@code db.poolMax} (the grant applied), {@code db.poolOpen}, {@code db.poolPeak} (most
     * in use at once since the previous heartbeat), {@code db.poolWaiting}, {@code db.contended} and
     * {@code db.waitMillis} (borrows that found every connection in use, and their waits; cumulative),
     * {@code db.contendedAtMax} (such borrows since the maximum last changed), {@code db.timeouts}.
     */
    Map<String, Long> counterSnapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.get()));
        synchronized (this) {
            if (spec.db() != null) {
                BotPool.Usage u = pool == null ? new BotPool.Usage(grant, 0, 0, 0, 0, 0, 0, 0) : pool.usage();
                out.put("db.poolMax", (long) u.max());
                out.put("db.poolOpen", (long) u.open());
                out.put("db.poolPeak", (long) u.peakInUse());
                out.put("db.poolWaiting", (long) u.waiting());
                out.put("db.contended", u.contended());
                out.put("db.contendedAtMax", u.contendedAtMax());
                out.put("db.waitMillis", u.waitMillis());
                out.put("db.timeouts", u.timeouts());
            }
        }
        return out;
    }
}

package io.botvisor.runner.internal;

import io.botvisor.ipc.ChildSpec;
import io.botvisor.ipc.Units;
import io.botvisor.runner.BotContext;
import java.time.Duration;
import com.zaxxer.hikari.HikariDataSource;
import io.botvisor.storage.BotPool;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/** The runtime's {@link BotContext}. Thread-safe; owns the bot's work thread. */
final class Context implements BotContext {
    private final ChildSpec spec;
    private final ScheduledExecutorService executor;
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private HikariDataSource pool;

    Context(ChildSpec spec) {
        this.spec = spec;
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
        return spec.config();
    }

    @Override
    public Duration durationConfig(String key, Duration fallback) {
        String v = spec.config().get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Units.duration(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bot '" + spec.botId() + "': config." + key + " " + e.getMessage(), e);
        }
    }

    @Override
    public ScheduledExecutorService executor() {
        return executor;
    }

    @Override
    public void count(String counter, long delta) {
        counters.computeIfAbsent(counter, k -> new AtomicLong()).addAndGet(delta);
    }

    @Override
    public synchronized Optional<DataSource> database() {
        ChildSpec.Db db = spec.db();
        if (db == null) {
            return Optional.empty();
        }
        if (pool == null) {
            pool = BotPool.open(spec.botId(), db.url(), db.user(), db.passwordFile(), db.poolSize());
        }
        return Optional.of(pool);
    }

    /** Closes the pool, if one was opened. */
    synchronized void closeDatabase() {
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }

    Map<String, Long> counterSnapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}

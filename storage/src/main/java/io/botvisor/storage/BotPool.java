package io.botvisor.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import io.botvisor.storage.internal.Secrets;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * A bot's own connection pool (HikariCP), as the bot's own role. Its maximum is the bot's <em>grant</em> from the
 * fleet's connection budget and changes while it runs ({@link #resize}); {@link #usage()} reports what the
 * supervisor needs to decide grants: how many connections were in use at once, and how long borrowers waited because
 * every connection was in use.
 *
 * <p>It holds no connection while idle (minimumIdle 0, idle ones closed after {@link #IDLE_TIMEOUT}), so an idle
 * fleet costs the server nothing; a bot whose pool is busy waits up to {@link #WAIT} for a connection rather than
 * failing. It does not fail to open when the database is down: bots keep running through an outage. The password is
 * read from its 0600 file here and nowhere else. Thread-safe.
 */
public final class BotPool implements AutoCloseable {
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    static final Duration WAIT = Duration.ofSeconds(60);

    private final HikariDataSource hikari;
    private final Tracker tracker = new Tracker();
    private final DataSource dataSource = new Borrowing();

    private BotPool(HikariConfig config) {
        config.setMetricsTrackerFactory((name, stats) -> tracker);
        this.hikari = new HikariDataSource(config);
    }

    /** Opens the pool with at most {@code maxConnections}; no connection is made until one is asked for. */
    public static BotPool open(String botName, String url, String user, Path passwordFile, int maxConnections) {
        checkSize(botName, maxConnections);
        HikariConfig c = new HikariConfig();
        c.setPoolName("bot-" + botName);
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(Secrets.read(passwordFile));
        c.setMaximumPoolSize(maxConnections);
        c.setMinimumIdle(0);
        c.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        c.setConnectionTimeout(WAIT.toMillis());
        c.setInitializationFailTimeout(-1);
        c.addDataSourceProperty("ApplicationName", "botvisor bot " + botName);
        c.addDataSourceProperty("reWriteBatchedInserts", "true");
        // Generic plans: the bot tables are hash-partitioned by bot_id, and a custom plan (PostgreSQL's choice for
        // them) re-plans every execution over all partitions before pruning (~0.3 ms per statement measured with 16,
        // most of a small statement's cost); a generic plan prunes at executor start. docs/storage.md.
        c.addDataSourceProperty("options", "-c plan_cache_mode=force_generic_plan");
        return new BotPool(c);
    }

    private static void checkSize(String botName, int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("bot '" + botName + "': pool size " + maxConnections
                    + " is out of range (expected 1 or more)");
        }
    }

    /** What the bot borrows connections from. */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Changes the pool's maximum. Growing takes effect at the next borrow. Shrinking stops new connections beyond the
     * new maximum at once and retires the open ones (idle ones close now, busy ones when returned; HikariCP would
     * otherwise keep handing out every open connection): the pool reopens what it needs, within the new maximum.
     * {@link Usage#open()} shows when the pool is back within it.
     */
    public void resize(int maxConnections) {
        checkSize(hikari.getPoolName(), maxConnections);
        int before = hikari.getMaximumPoolSize();
        hikari.getHikariConfigMXBean().setMaximumPoolSize(maxConnections);
        tracker.contendedAtMax.set(0);
        HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
        if (maxConnections < before && pool != null && pool.getTotalConnections() > maxConnections) {
            pool.softEvictConnections();
        }
    }

    public int maxConnections() {
        return hikari.getMaximumPoolSize();
    }

    /**
     * The pool's figures now; {@link Usage#peakInUse()} is the most connections in use at once since the previous
     * call (the caller is one reporter: the heartbeat).
     */
    public Usage usage() {
        HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
        int open = pool == null ? 0 : pool.getTotalConnections();
        int waiting = pool == null ? 0 : pool.getThreadsAwaitingConnection();
        int inUse = Math.max(0, tracker.inUse.get());
        int peak = Math.max(inUse, tracker.peak.getAndSet(inUse));
        return new Usage(hikari.getMaximumPoolSize(), open, peak, waiting, tracker.contended.get(),
                tracker.contendedAtMax.get(), tracker.contendedWaitNanos.get() / 1_000_000, tracker.timeouts.get());
    }

    /**
     * @param max           the pool's maximum now
     * @param open          connections open to the server (in use or idle)
     * @param peakInUse     most connections in use at once since the previous report
     * @param waiting       threads waiting for a connection now
     * @param contended     borrows that found every connection in use (since the pool opened)
     * @param contendedAtMax such borrows since the maximum last changed (whether the current maximum is too small)
     * @param waitMillis    total time borrowers waited because every connection was in use (since the pool opened)
     * @param timeouts      borrows that gave up after {@link #WAIT}
     */
    public record Usage(int max, int open, int peakInUse, int waiting, long contended, long contendedAtMax,
                        long waitMillis, long timeouts) {
    }

    @Override
    public void close() {
        hikari.close();
    }

    /** Counts borrows and returns (HikariCP records a borrow after it succeeds and a return before requeuing it). */
    private static final class Tracker implements IMetricsTracker {
        final AtomicInteger inUse = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final AtomicLong contended = new AtomicLong();
        final AtomicLong contendedAtMax = new AtomicLong();
        final AtomicLong contendedWaitNanos = new AtomicLong();
        final AtomicLong timeouts = new AtomicLong();

        @Override
        public void recordConnectionAcquiredNanos(long elapsedAcquiredNanos) {
            peak.accumulateAndGet(inUse.incrementAndGet(), Math::max);
        }

        @Override
        public void recordConnectionUsageMillis(long elapsedBorrowedMillis) {
            inUse.decrementAndGet();
        }

        @Override
        public void recordConnectionTimeout() {
            timeouts.incrementAndGet();
        }
    }

    /**
     * The pool as the bot sees it: a borrow that finds every connection in use counts its wait as contention (a wait
     * for a connection being opened below the maximum does not: more connections would not have shortened it).
     */
    private final class Borrowing implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            boolean full = tracker.inUse.get() >= hikari.getMaximumPoolSize();
            long t0 = System.nanoTime();
            Connection c = hikari.getConnection();
            if (full) {
                tracker.contended.incrementAndGet();
                tracker.contendedAtMax.incrementAndGet();
                tracker.contendedWaitNanos.addAndGet(System.nanoTime() - t0);
            }
            return c;
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException("a bot's pool connects as the bot's own role only");
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return hikari.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            hikari.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            hikari.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return hikari.getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return hikari.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("a bot's pool does not unwrap to " + iface.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }
    }
}

package io.botvisor.runner.telegram.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Database calls with a deadline — and what counts as the database being down: no answer in time, or a failure with
 * an {@link java.sql.SQLException} in its causes (a refused or broken connection, a statement that failed); any other
 * exception (an outbox move its state forbids, a bug) is thrown as it is. For the threads that must not hang with the
 * database: the poller's (a stopped server — SIGSTOP, a network that drops packets — makes a query wait forever, and
 * the pool waits up to a minute for a connection), the dispatcher's reads, the sender's and the journal's. Their
 * deadline is the database's {@link Patience}: learnt from how fast it answered those calls. The call runs on a
 * {@code tg-db-N} thread; past the deadline the caller gets {@link DownException} and the call is left to finish or
 * fail by itself (what it wrote stays idempotent: the inbox and the replay dedupe by update id; a connection it gets
 * late is closed). Thread-safe.
 */
final class DbGate {
    /** A database call. */
    @FunctionalInterface
    interface Call<T> {
        T run() throws Exception;
    }

    /** The database did not answer in time, or failed. */
    static final class DownException extends Exception {
        private static final long serialVersionUID = 1L;

        DownException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final DataSource db;
    private final ExecutorService threads;
    /** A probe ({@link #answers}) is running, or still waiting after its caller gave up. */
    private final AtomicBoolean probing = new AtomicBoolean();
    private final Patience patience = new Patience();

    DbGate(DataSource db) {
        this.db = db;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tg-db-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** {@link #call(Call, Duration)} within the database's {@link Patience}; its answer time teaches the patience. */
    <T> T call(Call<T> call) throws DownException {
        long start = System.nanoTime();
        T answer = call(call, patience.deadline());
        patience.answered(System.nanoTime() - start);
        return answer;
    }

    /** The deadline {@link #call(Call)} gives a call now. */
    Duration patience() {
        return patience.deadline();
    }

    <T> T call(Call<T> call, Duration deadline) throws DownException {
        CompletableFuture<T> f = CompletableFuture.supplyAsync(() -> {
            try {
                return call.run();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, threads);
        try {
            return f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new DownException("no answer within " + deadline.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            if (!fromTheDatabase(cause) && cause instanceof RuntimeException r) {
                throw r;
            }
            throw new DownException(OneLine.of(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new DownException("interrupted", e);
        }
    }

    /**
     * A connection within {@code deadline}, whose statements give up after {@code network} without an answer from
     * the server (the JDBC network timeout: a stopped server fails them instead of hanging them).
     */
    Connection connection(Duration deadline, Duration network) throws DownException {
        CompletableFuture<Connection> f = CompletableFuture.supplyAsync(() -> {
            try {
                Connection c = db.getConnection();
                try {
                    c.setNetworkTimeout(threads, (int) network.toMillis());
                } catch (SQLException | RuntimeException e) {
                    closeQuietly(c); // not handed out: given back to the pool
                    throw e;
                }
                return c;
            } catch (SQLException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, threads);
        try {
            return f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            f.thenAccept(DbGate::closeQuietly); // got late: nobody takes it
            throw new DownException("no connection within " + deadline.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            throw new DownException(OneLine.of(cause), cause);
        }
    }

    /**
     * Whether the database answers {@code SELECT 1} within {@code deadline}. False at once while an earlier probe
     * that gave up is still waiting (a stopped server): probing once a second must not pile up waiting threads.
     */
    boolean answers(Duration deadline) {
        if (!probing.compareAndSet(false, true)) {
            return false;
        }
        try {
            return call(() -> {
                try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                    c.setNetworkTimeout(threads, (int) deadline.toMillis());
                    return s.execute("SELECT 1");
                } finally {
                    probing.set(false);
                }
            }, deadline);
        } catch (DownException e) {
            return false;
        }
    }

    /** Whether {@code e} says the database failed (an SQLException among its causes), not the caller's logic. */
    static boolean fromTheDatabase(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    void close() {
        threads.shutdownNow();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // a connection to a server that is gone: nothing to give back
        }
    }
}

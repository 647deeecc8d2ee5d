package io.botvisor.runner.telegram.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
    private final DataSource watched;
    /** The {@link #call(Call)} a {@code tg-db-N} thread runs, if any. */
    private static final ThreadLocal<Attempt> CURRENT = new ThreadLocal<>();
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /**
     * When the database last showed it works ({@link System#nanoTime}): a call through this gate got its answer, or
     * the pool handed out a connection through it (the handlers' transactions that hold it end and give it back).
     */
    private volatile long lastProgress = System.nanoTime();

    DbGate(DataSource db) {
        this.db = db;
        this.watched = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object r;
                    try {
                        r = method.invoke(db, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("getConnection")) {
                        long now = System.nanoTime();
                        lastProgress = now;
                        Attempt a = CURRENT.get();
                        if (a != null && a.connectedAt == 0) {
                            a.connectedAt = now;
                        }
                    }
                    return r;
                });
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tg-db-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * {@code call} with the database's {@link Patience}: down when for that long it got no answer and the database
     * showed no progress (no other call answered, no connection handed out), or it has waited {@link Patience#MAX}
     * in all — a pool whose connections cycle through handlers is busy, and one slow call (a lock, a commit's flush)
     * while others are answered is slow: neither is the database failing to answer. The answer time (from the
     * connection on, when it borrowed through {@link #dataSource()}) teaches the patience, also when it comes late.
     */
    <T> T call(Call<T> call) throws DownException {
        Attempt a = new Attempt(System.nanoTime());
        CompletableFuture<T> f = submit(call, a);
        try {
            T answer = await(f, a, patience.deadline(), Patience.MAX);
            patience.answered(a.took());
            return answer;
        } catch (DownException e) {
            if (f.isCompletedExceptionally() && !f.isCancelled()) {
                throw e; // an answer: a failure
            }
            patience.unanswered();
            f.whenComplete((v, x) -> {
                if (x == null) {
                    patience.answered(a.took()); // a late answer
                }
            });
            throw e;
        }
    }

    /** The deadline {@link #call(Call)} gives a call once it has its connection, now. */
    Duration patience() {
        return patience.deadline();
    }

    /** {@code call}, down past {@code deadline}. */
    <T> T call(Call<T> call, Duration deadline) throws DownException {
        Attempt a = new Attempt(System.nanoTime());
        a.connectedAt = a.start;
        return await(submit(call, null), a, deadline, deadline);
    }

    /**
     * The pool's connections, marking the {@link #call(Call)} they are borrowed for as connected: what the inbox and
     * the outbox that go through this gate are given.
     */
    DataSource dataSource() {
        return watched;
    }

    /** One call: when it started, and when it got its connection from {@link #dataSource()} (0: not yet). */
    private static final class Attempt {
        final long start;
        volatile long connectedAt;

        Attempt(long start) {
            this.start = start;
        }

        /** From its connection (or its start, if it never asked the pool) until now. */
        long took() {
            long connected = connectedAt;
            return System.nanoTime() - (connected == 0 ? start : connected);
        }
    }

    private <T> CompletableFuture<T> submit(Call<T> call, Attempt attempt) {
        return CompletableFuture.supplyAsync(() -> {
            CURRENT.set(attempt);
            try {
                T answer = call.run();
                lastProgress = System.nanoTime();
                return answer;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            } finally {
                CURRENT.remove();
            }
        }, threads);
    }

    /**
     * {@code f}'s answer, or down: when for {@code patience} since it started (or got its connection) the database
     * showed no progress — no call through this gate answered, no connection handed out (a database that answers
     * others is slow with this call, a pool whose connections cycle is busy: neither is down) — or {@code max} after
     * it started.
     */
    private <T> T await(CompletableFuture<T> f, Attempt a, Duration patience, Duration max) throws DownException {
        try {
            while (true) {
                long connected = a.connectedAt;
                long cap = a.start + max.toNanos();
                long limit = Math.min(cap, Math.max(connected == 0 ? a.start : connected, lastProgress)
                        + patience.toNanos());
                long left = limit - System.nanoTime();
                if (left <= 0) {
                    // f is left to finish by itself (a cancel would not stop it): a late answer still teaches
                    long waited = (limit == cap ? max : patience).toMillis();
                    throw new DownException(connected == 0 ? "no connection from the pool within " + waited + " ms"
                            : "no answer within " + waited + " ms", null);
                }
                try {
                    // Look again now and then: the patience starts again at its connection and at each progress.
                    return f.get(Math.min(left, RECHECK_NANOS), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // the limit moved, or it is reached: the loop says which
                }
            }
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
                lastProgress = System.nanoTime();
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

package io.botvisor.supervisor.db;

import io.botvisor.storage.DbEndpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * How long one of the keeper's jobs may wait on the database, so that a hung query ends as an error instead of
 * stopping its job for good. Two parts:
 * <ul>
 *   <li>on the server, per transaction ({@link #apply}): {@code SET LOCAL statement_timeout} and {@code lock_timeout}.
 *   {@code SET LOCAL} rather than a session {@code SET} or the startup {@code options}: PgBouncer in transaction mode
 *   (see README) rejects {@code options} and would leak a session setting to other clients;</li>
 *   <li>in the driver, per connection ({@link #endpoint}): pgjdbc's {@code connectTimeout} ({@link #CONNECT}),
 *   {@code loginTimeout} ({@link #LOGIN}) and {@code socketTimeout} (the statement timeout plus {@link #SOCKET_SLACK}:
 *   the server cancels a slow statement first; the socket timeout catches a server or network that stopped
 *   answering). Added to the URL, whose parameters win over the same ones given in the fleet file's url.</li>
 * </ul>
 * The lock timeout is the shorter, so that a wait for a lock ends as "canceling statement due to lock timeout", which
 * says what to look for (a statement timeout of the same length would always fire first). Immutable.
 *
 * @param statement the longest statement ({@code statement_timeout})
 * @param lock      the longest wait for a lock within it ({@code lock_timeout})
 */
record JobTimeouts(Duration statement, Duration lock) {
    /**
     * Maintenance ({@code botvisor.maintain}: creating and dropping partitions) and the health check: statements
     * 30 s, locks 10 s (dropping a partition waits for the transactions that use it).
     */
    static final JobTimeouts MAINTENANCE = new JobTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(10));
    /** An audit row, a connection-limit order: statements 5 s, locks 3 s. */
    static final JobTimeouts SHORT = new JobTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(3));
    static final Duration CONNECT = Duration.ofSeconds(5);
    static final Duration LOGIN = Duration.ofSeconds(10);
    static final Duration SOCKET_SLACK = Duration.ofSeconds(10);

    /** {@code base} with the driver's timeouts in its URL; everything else (user, password file) as it was. */
    DbEndpoint endpoint(DbEndpoint base) {
        String url = base.url() + (base.url().contains("?") ? "&" : "?")
                + "connectTimeout=" + CONNECT.toSeconds()
                + "&loginTimeout=" + LOGIN.toSeconds()
                + "&socketTimeout=" + statement.plus(SOCKET_SLACK).toSeconds();
        return new DbEndpoint(url, base.user(), base.password());
    }

    /** Sets the server's timeouts for the transaction {@code c} is in (autocommit must be off). */
    void apply(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT set_config('statement_timeout', ?, true), set_config('lock_timeout', ?, true)")) {
            ps.setString(1, Long.toString(statement.toMillis()));
            ps.setString(2, Long.toString(lock.toMillis()));
            ps.executeQuery().close();
        }
    }
}

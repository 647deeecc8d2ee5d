package io.botvisor.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/** Helpers of the bot-side stores: the bot a pool logs in as, and the figures they share. Stateless. */
final class OwnBot {
    private OwnBot() {
    }

    /** The id of the bot whose role {@code pool} logs in as, read from the one row of bots that role can see. */
    static int id(DataSource pool) {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT bot_id FROM botvisor.bots")) {
            if (!rs.next()) {
                throw new StorageException("this role sees no row of its own in botvisor.bots: is it a bot's role?");
            }
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new StorageException("cannot look up the bot's id: " + e.getMessage(), e);
        }
    }

    /** An age read as seconds (SQL {@code extract(epoch ...)}); null (no rows) is zero. */
    static Duration age(ResultSet rs, int column) throws SQLException {
        double seconds = rs.getDouble(column);
        return rs.wasNull() || seconds < 0 ? Duration.ZERO : Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /** Rolls back after {@code failure}; a rollback that fails too is added to it, not thrown instead of it. */
    static void rollback(Connection c, Exception failure) {
        try {
            c.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    /** A nullable bigint column. */
    static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}

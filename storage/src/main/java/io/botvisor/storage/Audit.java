package io.botvisor.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Writes {@code audit_log} rows: who (the current role), what, on what, before/after as JSON where it applies, and
 * the correlation id of the IPC command that caused it. Written in the caller's transaction, so an audited change
 * and its row commit or roll back together. Stateless.
 */
public final class Audit {
    /** The {@code bot_id} of an action on the whole fleet rather than one bot. */
    public static final int FLEET = 0;

    private Audit() {
    }

    /**
     * Tags the caller's transaction with a correlation id: the database's own audit rows (changes to bots and
     * profiles, written by a trigger) carry it.
     */
    public static void correlate(Connection c, String correlationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('botvisor.correlation_id', ?, true)")) {
            ps.setString(1, correlationId == null ? "" : correlationId);
            ps.executeQuery().close();
        }
    }

    public static void write(Connection c, int botId, String action, String target, String beforeJson,
                             String afterJson, String correlationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO botvisor.audit_log (bot_id, action, target, before, after, correlation_id)
                VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?)""")) {
            ps.setInt(1, botId);
            ps.setString(2, action);
            ps.setString(3, target);
            ps.setString(4, beforeJson);
            ps.setString(5, afterJson);
            ps.setString(6, correlationId);
            ps.executeUpdate();
        }
    }
}

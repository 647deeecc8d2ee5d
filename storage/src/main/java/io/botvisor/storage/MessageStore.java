package io.botvisor.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A bot's messages, through its own pool and role: the path the bot runtime writes and reads conversations by.
 * Appends are batched (one round trip per batch with pgjdbc's reWriteBatchedInserts) and idempotent (a message
 * already stored is skipped, so a retried batch never duplicates). Thread-safe (connections come from the pool).
 */
public final class MessageStore {
    private final DataSource pool;
    private final int botId;

    /** A message to store; {@code userId} may be null (e.g. the bot's own). Immutable. */
    public record NewMessage(long conversationId, long messageId, Instant at, Long userId, boolean incoming,
                             String body) {
    }

    private MessageStore(DataSource pool, int botId) {
        this.pool = pool;
        this.botId = botId;
    }

    /** The store of the bot whose role {@code pool} logs in as (its id read once from its own row of bots). */
    public static MessageStore of(DataSource pool) {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT bot_id FROM botvisor.bots")) {
            if (!rs.next()) {
                throw new StorageException("this role sees no row of its own in botvisor.bots: is it a bot's role?");
            }
            return new MessageStore(pool, rs.getInt(1));
        } catch (SQLException e) {
            throw new StorageException("cannot look up the bot's id: " + e.getMessage(), e);
        }
    }

    public int botId() {
        return botId;
    }

    /**
     * Stores a batch in one statement and one transaction; messages already stored are skipped. The statement is
     * {@link BotData#appendMessages}': the batch travels as arrays unnested by the server (one round trip, one plan),
     * 0.53–0.54 of COPY's rate against 0.47 for a rewritten JDBC batch of the same rows (BENCHMARKS.md, issue 3).
     */
    public void append(List<NewMessage> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<BotData.Message> rows = new ArrayList<>(batch.size());
        for (NewMessage m : batch) {
            rows.add(new BotData.Message(m.conversationId(), m.messageId(), m.at(), m.userId(), m.incoming(), m.body(),
                    null));
        }
        // One statement on an auto-commit connection: one transaction, as a handler's own append is in its own.
        try (Connection c = pool.getConnection()) {
            new BotData(botId).appendMessages(c, rows);
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot store " + batch.size() + " messages: "
                    + e.getMessage(), e);
        }
    }

    /** A conversation's most recent messages, newest first. */
    public List<String> recentBodies(long conversationId, int limit) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT body FROM botvisor.messages WHERE bot_id = ? AND conversation_id = ?
                ORDER BY created_at DESC LIMIT ?""")) {
            ps.setInt(1, botId);
            ps.setLong(2, conversationId);
            ps.setInt(3, limit);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot read conversation " + conversationId + ": "
                    + e.getMessage(), e);
        }
    }
}

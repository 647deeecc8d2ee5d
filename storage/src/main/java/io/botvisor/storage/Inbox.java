package io.botvisor.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * A bot's inbox of Telegram updates ({@code botvisor.updates}), through its own pool and role. An update is recorded
 * once (by {@code (bot, update_id)}, never by "id &le; last seen": Telegram restarts its ids at a random value after a
 * week without updates) and handled once: {@link #markHandled} in the handler's own transaction, so the mark, the
 * handler's writes and the replies it queued commit together or not at all.
 *
 * <p>Order is the inbox's own {@code seq}, the order updates were recorded in. {@link #record} calls of one instance
 * take turns, so seq order is commit order and a reader paging with {@link #unhandled} skips nothing; one instance per
 * bot process, one recording process per bot at a time (Telegram serves one poller per token).
 *
 * <p>Thread-safe: connections come from the pool; {@code record} serializes its callers.
 */
public final class Inbox {
    private final DataSource pool;
    private final int botId;
    /** Turns for record(): seq must be taken in commit order (see the class comment). */
    private final ReentrantLock recording = new ReentrantLock();

    /**
     * An update as received: its Telegram id, its kind ({@code message}, {@code callback_query} …), its chat if it has
     * one, and the whole update as JSON. Immutable.
     */
    public record Received(long updateId, String kind, Long chatId, String payloadJson) {
    }

    /** An update recorded and not handled yet, with its place in the inbox's order. Immutable. */
    public record Pending(long seq, long updateId, String kind, Long chatId, String payloadJson) {
    }

    /** What is left to handle: how many, and how long the oldest has waited (zero when none). Immutable. */
    public record Stats(long unhandled, Duration oldestUnhandledAge) {
    }

    private Inbox(DataSource pool, int botId) {
        this.pool = pool;
        this.botId = botId;
    }

    /** The inbox of the bot whose role {@code pool} logs in as (its id read once from its own row of bots). */
    public static Inbox of(DataSource pool) {
        return new Inbox(pool, OwnBot.id(pool));
    }

    public int botId() {
        return botId;
    }

    /**
     * Records the batch durably in one transaction, in the batch's order; updates already recorded (handled or not)
     * are skipped. Returns only when every update of the batch is durable — only then may its offset be confirmed to
     * Telegram; throws {@link StorageException} otherwise, having recorded none of them (a retry is idempotent).
     * Returns the ids this call recorded (not those the inbox held already, which a read of unhandled updates may
     * never return again).
     */
    public java.util.Set<Long> record(List<Received> batch) {
        if (batch.isEmpty()) {
            return java.util.Set.of();
        }
        int n = batch.size();
        Long[] ids = new Long[n];
        String[] kinds = new String[n];
        Long[] chats = new Long[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            Received r = batch.get(i);
            ids[i] = r.updateId();
            kinds[i] = r.kind();
            chats[i] = r.chatId();
            payloads[i] = r.payloadJson();
        }
        recording.lock();
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO botvisor.updates (bot_id, update_id, kind, chat_id, payload)
                    SELECT ?, u.id, u.kind, u.chat, u.payload
                      FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::text[]::jsonb[])
                           WITH ORDINALITY AS u (id, kind, chat, payload, n)
                     ORDER BY u.n
                    ON CONFLICT (bot_id, update_id) DO NOTHING
                    RETURNING update_id""")) {
                ps.setInt(1, botId);
                ps.setArray(2, c.createArrayOf("bigint", ids));
                ps.setArray(3, c.createArrayOf("text", kinds));
                ps.setArray(4, c.createArrayOf("bigint", chats));
                ps.setArray(5, c.createArrayOf("text", payloads));
                java.util.Set<Long> recorded = new java.util.HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        recorded.add(rs.getLong(1));
                    }
                }
                c.commit();
                return recorded;
            } catch (SQLException | RuntimeException e) {
                OwnBot.rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot record " + n + " updates (" + ids[0] + " … "
                    + ids[n - 1] + "): " + e.getMessage(), e);
        } finally {
            recording.unlock();
        }
    }

    /**
     * Records one update in the caller's transaction {@code tx} (autocommit off), unless the inbox holds it already
     * (handled or not): the journal's replay records an update and, when it was handled while the database was down,
     * marks it handled ({@link #markHandled}) and restores its replies ({@link Outbox#restore}) in one transaction.
     * Returns whether it was new.
     */
    public boolean recordIn(Connection tx, Received r) {
        try (PreparedStatement ps = tx.prepareStatement("""
                INSERT INTO botvisor.updates (bot_id, update_id, kind, chat_id, payload)
                VALUES (?, ?, ?, ?, ?::jsonb)
                ON CONFLICT (bot_id, update_id) DO NOTHING""")) {
            ps.setInt(1, botId);
            ps.setLong(2, r.updateId());
            ps.setString(3, r.kind());
            ps.setObject(4, r.chatId(), java.sql.Types.BIGINT);
            ps.setString(5, r.payloadJson());
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot record update " + r.updateId() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Unhandled updates with {@code seq > afterSeq}, in the order they were recorded, at most {@code limit}. */
    public List<Pending> unhandled(long afterSeq, int limit) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT seq, update_id, kind, chat_id, payload::text FROM botvisor.updates
                 WHERE bot_id = ? AND handled_at IS NULL AND seq > ?
                 ORDER BY seq LIMIT ?""")) {
            ps.setInt(1, botId);
            ps.setLong(2, afterSeq);
            ps.setInt(3, limit);
            List<Pending> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Pending(rs.getLong(1), rs.getLong(2), rs.getString(3), OwnBot.nullableLong(rs, 4),
                            rs.getString(5)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot read the inbox: " + e.getMessage(), e);
        }
    }

    /**
     * Marks the update handled, in the caller's transaction ({@code tx}, autocommit off, READ COMMITTED — the
     * default). Returns false when it already was: the caller must roll back and not handle it again. Of two
     * transactions racing on one update exactly one gets true: the second waits for the first's row lock, and gets
     * false if the first commits, true if it rolls back. Throws {@link StorageException} for an update the inbox
     * does not hold (never recorded, or deleted by retention).
     */
    public boolean markHandled(Connection tx, long updateId) {
        try {
            try (PreparedStatement ps = tx.prepareStatement("""
                    UPDATE botvisor.updates SET handled_at = now()
                     WHERE bot_id = ? AND update_id = ? AND handled_at IS NULL""")) {
                ps.setInt(1, botId);
                ps.setLong(2, updateId);
                if (ps.executeUpdate() == 1) {
                    return true;
                }
            }
            try (PreparedStatement ps = tx.prepareStatement(
                    "SELECT 1 FROM botvisor.updates WHERE bot_id = ? AND update_id = ?")) {
                ps.setInt(1, botId);
                ps.setLong(2, updateId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new StorageException("bot " + botId + ": update " + updateId + " is not in the inbox "
                                + "(expected an update recorded by Inbox.record)");
                    }
                }
            }
            return false;
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot mark update " + updateId + " handled: "
                    + e.getMessage(), e);
        }
    }

    /** How many updates are unhandled and how long the oldest has waited since it was recorded. */
    public Stats stats() {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT count(*), extract(epoch FROM now() - min(received_at)) FROM botvisor.updates
                 WHERE bot_id = ? AND handled_at IS NULL""")) {
            ps.setInt(1, botId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Stats(rs.getLong(1), OwnBot.age(rs, 2));
            }
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot count the inbox: " + e.getMessage(), e);
        }
    }
}

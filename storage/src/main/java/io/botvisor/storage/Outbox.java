package io.botvisor.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * A bot's outbox of Bot API calls to make ({@code botvisor.outbox}), through its own pool and role. A handler queues
 * calls in its own transaction ({@link #queue}), so a call exists exactly when the handling of its update committed.
 *
 * <p>How a sender uses it:
 * <ol>
 *   <li>At start, before anything else, {@link #recoverInFlight()}: calls a run that ended left in {@code sending}
 *       may have reached Telegram; they become {@code uncertain} and are returned for the sender's policy to resolve
 *       (only these: an earlier run's uncertain calls were resolved by its policy already).</li>
 *   <li>{@link #sendable} — for each chat its next call, only when nothing of that chat is in flight —, then for each: {@link #markSending} (committed <em>before</em> the request is made), the HTTP request, and
 *       one of {@link #markSent}, {@link #markUncertain} (the request may have reached Telegram; its response was
 *       lost), {@link #markFailed} (Telegram refused it for good) or {@link #requeue} (it failed before reaching
 *       Telegram).</li>
 *   <li>An uncertain call is the sender's last word on it, after its policy had its say (a retry, or at start
 *       {@link #requeue}: a possible duplicate); it may also be resolved by {@link #markSent} (with a null message
 *       id: assumed delivered) or {@link #markFailed}. It does not hold its chat back: a chat whose reply was lost in
 *       the network must not fall silent for the rest of the process.</li>
 * </ol>
 * A call that failed for good does not block its chat either: the next one is sendable. Rate limits (per chat, per group,
 * overall, 429) are the sender's: it holds chats back with {@link #sendable(int, Collection)}. Every transition is
 * checked against {@link #TRANSITIONS}: an illegal one (marking a sent call sending, say) throws and changes nothing.
 *
 * <p>Thread-safe: connections come from the pool, every verb is one statement. One sender per bot.
 */
public final class Outbox {
    private final DataSource pool;
    private final int botId;

    /** An outbox item's state, as stored. */
    public enum State {
        QUEUED, SENDING, SENT, UNCERTAIN, FAILED;

        String sql() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** For each state a verb moves to, the states it may move from: every transition the outbox allows. */
    static final Map<State, Set<State>> TRANSITIONS = Map.of(
            State.SENDING, EnumSet.of(State.QUEUED),
            State.SENT, EnumSet.of(State.SENDING, State.UNCERTAIN),
            State.UNCERTAIN, EnumSet.of(State.SENDING),
            State.FAILED, EnumSet.of(State.QUEUED, State.SENDING, State.UNCERTAIN),
            State.QUEUED, EnumSet.of(State.SENDING, State.UNCERTAIN));

    /**
     * A queued call. {@code updateId} is the update whose handler queued it, if any; {@code resent}: it was queued
     * again to be sent once more after a send whose answer was lost ({@link #resendOnce}). Immutable.
     */
    public record Item(long id, long chatId, Long updateId, String method, String payloadJson, int attempts,
                       Instant queuedAt, boolean resent) {
    }

    /** Calls not yet sent or failed (queued, sending, uncertain), the oldest one's age, the uncertain ones. */
    public record Stats(long unsent, Duration oldestUnsentAge, long uncertain) {
    }

    private static final String COLUMNS = "id, chat_id, update_id, method, payload::text, attempts, queued_at, resent";

    private Outbox(DataSource pool, int botId) {
        this.pool = pool;
        this.botId = botId;
    }

    /** The outbox of the bot whose role {@code pool} logs in as (its id read once from its own row of bots). */
    public static Outbox of(DataSource pool) {
        return new Outbox(pool, OwnBot.id(pool));
    }

    public int botId() {
        return botId;
    }

    /**
     * Queues a call in the caller's transaction {@code tx}; returns its id (ids grow in the order calls are queued,
     * the order a chat's calls are sent in). {@code payloadJson} is the call's parameters as a JSON object.
     */
    public long queue(Connection tx, long chatId, Long updateId, String method, String payloadJson) {
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("bot " + botId + ": outbox method \"" + method
                    + "\" is blank (expected a Bot API method, e.g. sendMessage)");
        }
        try (PreparedStatement ps = tx.prepareStatement("""
                INSERT INTO botvisor.outbox (bot_id, chat_id, update_id, method, payload)
                VALUES (?, ?, ?, ?, ?::jsonb) RETURNING id""")) {
            ps.setInt(1, botId);
            ps.setLong(2, chatId);
            ps.setObject(3, updateId, Types.BIGINT);
            ps.setString(4, method);
            ps.setString(5, payloadJson);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot queue " + method + " to chat " + chatId + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Inserts a call in the caller's transaction {@code tx} as it already is: in {@code state} after {@code attempts}
     * attempts, with Telegram's message id when it was sent ({@code sent_at} is then now), the last error and whether
     * it was queued again to be sent once more ({@link #resendOnce}). The
     * journal's replay restores there the replies a handler queued while the database was down, in the transaction
     * that marks their update handled. Returns the new id (ids grow in the order of the calls restored).
     */
    public long restore(Connection tx, long chatId, Long updateId, String method, String payloadJson, State state,
                        int attempts, Long telegramMessageId, String lastError, boolean resent) {
        try (PreparedStatement ps = tx.prepareStatement("""
                INSERT INTO botvisor.outbox (bot_id, chat_id, update_id, method, payload, state, attempts, sent_at,
                                             telegram_message_id, last_error, resent)
                VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, CASE WHEN ? = 'sent' THEN now() END, ?, ?, ?) RETURNING id""")) {
            ps.setInt(1, botId);
            ps.setLong(2, chatId);
            ps.setObject(3, updateId, Types.BIGINT);
            ps.setString(4, method);
            ps.setString(5, payloadJson);
            ps.setString(6, state.sql());
            ps.setInt(7, attempts);
            ps.setString(8, state.sql());
            ps.setObject(9, telegramMessageId, Types.BIGINT);
            ps.setString(10, lastError);
            ps.setBoolean(11, resent);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot restore " + method + " to chat " + chatId + ": "
                    + e.getMessage(), e);
        }
    }

    /** {@link #sendable(int, Collection)} holding no chat back. */
    public List<Item> sendable(int limit) {
        return sendable(limit, List.of());
    }

    /**
     * What may be sent now: for each chat not in {@code holdBack}, its oldest unfinished call — when that call is
     * queued (a chat whose oldest unfinished call is sending or uncertain has nothing sendable) —, oldest first, at
     * most {@code limit}. So a chat's calls go out in order, one at a time.
     */
    public List<Item> sendable(int limit, Collection<Long> holdBack) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT %s FROM (
                    SELECT DISTINCT ON (chat_id) * FROM botvisor.outbox
                     WHERE bot_id = ? AND state IN ('queued', 'sending') AND NOT (chat_id = ANY (?))
                     ORDER BY chat_id, id) heads
                 WHERE state = 'queued'
                 ORDER BY id LIMIT ?""".formatted(COLUMNS))) {
            ps.setInt(1, botId);
            ps.setArray(2, c.createArrayOf("bigint", holdBack.toArray(new Long[0])));
            ps.setInt(3, limit);
            return items(ps.executeQuery());
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot read the outbox: " + e.getMessage(), e);
        }
    }

    /** queued → sending, one more attempt; committed when it returns, so call it before making the request. */
    public void markSending(long id) {
        move(id, State.SENDING, "attempts = attempts + 1", null, Types.NULL);
    }

    /** sending or uncertain → sent, with Telegram's message id (null when the call returns none, or is assumed). */
    public void markSent(long id, Long telegramMessageId) {
        move(id, State.SENT, "sent_at = now(), telegram_message_id = ?", telegramMessageId, Types.BIGINT);
    }

    /** sending → uncertain: the request may have reached Telegram, and its response was lost. */
    public void markUncertain(long id, String reason) {
        move(id, State.UNCERTAIN, "last_error = ?", reason, Types.VARCHAR);
    }

    /** queued, sending or uncertain → failed: Telegram refused it for good (400, 403); its chat moves on. */
    public void markFailed(long id, String reason) {
        move(id, State.FAILED, "last_error = ?", reason, Types.VARCHAR);
    }

    /** sending or uncertain → queued: it failed before reaching Telegram (or the policy sends it again). */
    public void requeue(long id, String reason) {
        move(id, State.QUEUED, "last_error = ?", reason, Types.VARCHAR);
    }

    /**
     * sending or uncertain → queued, marked {@code resent} for good: the policy sends it once more after a send whose
     * answer was lost, and whoever reads it later (this process after a 429, the next one after a crash) sees that
     * its one more send was given.
     */
    public void resendOnce(long id, String reason) {
        move(id, State.QUEUED, "last_error = ?, resent = true", reason, Types.VARCHAR);
    }

    /**
     * At start, before the first {@link #sendable}: calls left in {@code sending} by a run that ended (crashed, or
     * stopped with the call in flight) may have reached Telegram; they become uncertain and are returned, oldest
     * first, for the sender's policy to resolve. Calls that were uncertain already are not: an earlier run's policy
     * resolved them (an uncertain call is the sender's last word), and sending one again now would put it after its
     * chat's newer calls.
     */
    public List<Item> recoverInFlight() {
        try (Connection c = pool.getConnection(); PreparedStatement mark = c.prepareStatement("""
                UPDATE botvisor.outbox SET state = 'uncertain', last_error = 'in flight when its sender stopped'
                 WHERE bot_id = ? AND state = 'sending'
                RETURNING\s""" + COLUMNS)) {
            mark.setInt(1, botId);
            List<Item> out = new ArrayList<>(items(mark.executeQuery()));
            out.sort(java.util.Comparator.comparingLong(Item::id));
            return out;
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot recover the outbox's calls in flight: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Calls in {@code sending} that the sender has not in flight (not in {@code inFlight}) go back to queued, with
     * {@code reason}: a claim whose commit's answer was lost with the database, or that committed after its caller
     * had given up on it, leaves a call sending that was never made, and a sending call holds its chat's later calls
     * back. Only for the bot's one sender while it runs, which knows every call it is making (at start, calls left
     * sending by a process that is gone are {@link #recoverInFlight}'s: they may have been made). Returns how many.
     */
    public int requeueStray(Collection<Long> inFlight, String reason) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("""
                UPDATE botvisor.outbox SET state = 'queued', last_error = ?
                 WHERE bot_id = ? AND state = 'sending' AND NOT (id = ANY (?))""")) {
            ps.setString(1, reason);
            ps.setInt(2, botId);
            ps.setArray(3, c.createArrayOf("bigint", inFlight.toArray(new Long[0])));
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot requeue the outbox's stray sending calls: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The chats that have calls queued or sending — whose later calls must wait for them —, each with how many, at
     * most {@code max} chats; a result of {@code max + 1} chats means more than {@code max}.
     */
    public Map<Long, Integer> unsentChats(int max) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT chat_id, count(*) FROM botvisor.outbox
                 WHERE bot_id = ? AND state IN ('queued', 'sending') GROUP BY chat_id LIMIT ?""")) {
            ps.setInt(1, botId);
            ps.setInt(2, max + 1);
            Map<Long, Integer> out = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), rs.getInt(2));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot read the outbox's chats: " + e.getMessage(), e);
        }
    }

    /**
     * A group became a supergroup ({@code migrate_to_chat_id}): every unfinished call (queued, sending, uncertain) to
     * {@code oldChatId} moves to {@code newChatId}, and so does the {@code chat_id} in its payload when it has one.
     * Their order is kept. Returns how many moved.
     */
    public int migrateChat(long oldChatId, long newChatId) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("""
                UPDATE botvisor.outbox SET chat_id = ?,
                       payload = CASE WHEN payload -> 'chat_id' IS NULL THEN payload
                                      ELSE jsonb_set(payload, '{chat_id}', to_jsonb(?::bigint)) END
                 WHERE bot_id = ? AND chat_id = ? AND state IN ('queued', 'sending', 'uncertain')""")) {
            ps.setLong(1, newChatId);
            ps.setLong(2, newChatId);
            ps.setInt(3, botId);
            ps.setLong(4, oldChatId);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot move the outbox of chat " + oldChatId + " to "
                    + newChatId + ": " + e.getMessage(), e);
        }
    }

    /** An item's state, or empty when the outbox has no such item (never queued, or deleted by retention). */
    public Optional<State> state(long id) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT state FROM botvisor.outbox WHERE bot_id = ? AND id = ?")) {
            ps.setInt(1, botId);
            ps.setLong(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(State.valueOf(rs.getString(1).toUpperCase(Locale.ROOT)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot read outbox item " + id + ": " + e.getMessage(), e);
        }
    }

    /** The outbox's depth: unfinished calls, the oldest one's age since it was queued, the uncertain ones. */
    public Stats stats() {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT count(*), extract(epoch FROM now() - min(queued_at)), count(*) FILTER (WHERE state = 'uncertain')
                  FROM botvisor.outbox WHERE bot_id = ? AND state IN ('queued', 'sending', 'uncertain')""")) {
            ps.setInt(1, botId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Stats(rs.getLong(1), OwnBot.age(rs, 2), rs.getLong(3));
            }
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot count the outbox: " + e.getMessage(), e);
        }
    }

    /**
     * Moves item {@code id} to {@code to} when its state is one {@link #TRANSITIONS} allows, setting {@code set}
     * (with at most one parameter, {@code value} of JDBC type {@code type}) too; otherwise throws, naming the state
     * it is in.
     */
    /**
     * queued → sending, as {@link #markSending}, for a sender that may have read the call just before another of its
     * threads finished with it: false, changing nothing, when it is not queued any more.
     */
    public boolean claim(long id) {
        return update(id, State.SENDING, "attempts = attempts + 1", null, Types.NULL, EnumSet.of(State.QUEUED));
    }

    private void move(long id, State to, String set, Object value, int type) {
        Set<State> from = TRANSITIONS.get(to);
        if (update(id, to, set, value, type, from)) {
            return;
        }
        String expected = from.stream().sorted().map(State::sql).collect(Collectors.joining(" or "));
        Optional<State> now = state(id);
        throw new UnableToMoveOutboxItemException("bot " + botId + ": outbox item " + id + now.map(s -> " is "
                + s.sql()).orElse(" does not exist") + ": cannot mark it " + to.sql() + " (expected an item that is "
                + expected + ")", now.orElse(null));
    }

    /** One UPDATE of item {@code id} from a state in {@code from} to {@code to}; whether it matched. */
    private boolean update(long id, State to, String set, Object value, int type, Set<State> from) {
        try (Connection c = pool.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE botvisor.outbox SET state = ?, " + set
                    + " WHERE bot_id = ? AND id = ? AND state = ANY (?)")) {
                int i = 1;
                ps.setString(i++, to.sql());
                if (set.contains("?")) {
                    ps.setObject(i++, value, type);
                }
                ps.setInt(i++, botId);
                ps.setLong(i++, id);
                ps.setArray(i, c.createArrayOf("text", from.stream().map(State::sql).toArray()));
                return ps.executeUpdate() == 1;
            }
        } catch (SQLException e) {
            throw new StorageException("bot " + botId + ": cannot mark outbox item " + id + " " + to.sql() + ": "
                    + e.getMessage(), e);
        }
    }

    private static List<Item> items(ResultSet rs) throws SQLException {
        List<Item> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                out.add(new Item(rs.getLong(1), rs.getLong(2), OwnBot.nullableLong(rs, 3), rs.getString(4),
                        rs.getString(5), rs.getInt(6), rs.getObject(7, OffsetDateTime.class).toInstant(),
                        rs.getBoolean(8)));
            }
        }
        return out;
    }
}

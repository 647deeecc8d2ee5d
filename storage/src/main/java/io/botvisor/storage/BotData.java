package io.botvisor.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A bot's own rows — users, conversations, messages, profiles — read and written inside a handler's transaction:
 * every method takes the caller's {@link Connection} first and neither commits nor rolls back, so the handler's
 * writes commit with its update's mark and its queued replies, or not at all. JSON travels as strings (the storage module
 * has no JSON library); a JSON column given null is stored as {@code {}}. Row-level security holds every statement to
 * the bot's own rows whatever the arguments; queries still name the bot, which prunes to its partition.
 *
 * <p>Stateless (the bot's id, read once) and thread-safe; a {@code Connection} is the caller's and used by one
 * thread at a time. Failures throw {@link StorageException} naming the bot and the row.
 */
public final class BotData {
    private final int botId;

    /** A user of the bot as Telegram describes them, with the bot's own data about them (JSON). Immutable. */
    public record User(long userId, String username, String firstName, String lastName, String languageCode,
                       String dataJson, Instant createdAt, Instant updatedAt) {
    }

    /**
     * A conversation, keyed by Telegram's chat id; {@code stateJson} is the bot's own state for it,
     * {@code lastMessageAt} null until {@link #touchConversation}. Immutable.
     */
    public record Conversation(long conversationId, Long userId, String title, String stateJson, Instant startedAt,
                               Instant lastMessageAt) {
    }

    /**
     * A message of a conversation: Telegram's message id and time for an incoming one. A message is the same message
     * when conversation, id and time are the same (appending it again adds nothing), so an outgoing message needs an
     * id and time of its own before Telegram gives it one — e.g. the negated outbox id and the time it was queued.
     * {@code userId} may be null (the bot's own); {@code metaJson} null is {@code {}}. Immutable.
     */
    public record Message(long conversationId, long messageId, Instant at, Long userId, boolean incoming, String body,
                          String metaJson) {
    }

    /** A profile (persona): its id, display name and the persona itself as JSON. Immutable. */
    public record Profile(String profileId, String name, String personaJson) {
    }

    BotData(int botId) {
        this.botId = botId;
    }

    /** The data of the bot whose role {@code pool} logs in as (its id read once from its own row of bots). */
    public static BotData of(DataSource pool) {
        return new BotData(OwnBot.id(pool));
    }

    public int botId() {
        return botId;
    }

    // ---- users

    private static final String USER_COLUMNS =
            "user_id, username, first_name, last_name, language_code, data::text, created_at, updated_at";

    /**
     * Records a user from Telegram's fields: inserted, or updated when a field changed (a row that did not change is
     * not written); the bot's data about them is kept. Returns the row.
     */
    public User upsertUser(Connection tx, long userId, String username, String firstName, String lastName,
                           String languageCode) {
        try (PreparedStatement ps = tx.prepareStatement("""
                INSERT INTO botvisor.users AS u (bot_id, user_id, username, first_name, last_name, language_code)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (bot_id, user_id) DO UPDATE
                   SET username = excluded.username, first_name = excluded.first_name,
                       last_name = excluded.last_name, language_code = excluded.language_code, updated_at = now()
                 WHERE (u.username, u.first_name, u.last_name, u.language_code)
                       IS DISTINCT FROM (excluded.username, excluded.first_name, excluded.last_name,
                                         excluded.language_code)
                RETURNING\s""" + USER_COLUMNS)) {
            ps.setInt(1, botId);
            ps.setLong(2, userId);
            ps.setString(3, username);
            ps.setString(4, firstName);
            ps.setString(5, lastName);
            ps.setString(6, languageCode);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return user(rs);
                }
            }
        } catch (SQLException e) {
            throw failed("record user " + userId, e);
        }
        return user(tx, userId).orElseThrow(() -> new StorageException("bot " + botId + ": user " + userId
                + " was neither inserted nor found"));
    }

    /** The user, or empty. */
    public Optional<User> user(Connection tx, long userId) {
        return one(tx, "read user " + userId, "SELECT " + USER_COLUMNS
                + " FROM botvisor.users WHERE bot_id = ? AND user_id = ?", userId, BotData::user);
    }

    /** Replaces the bot's data about the user (a JSON value); false when there is no such user. */
    public boolean putUserData(Connection tx, long userId, String dataJson) {
        return update("store the data of user " + userId, tx,
                "UPDATE botvisor.users SET data = ?::jsonb, updated_at = now() WHERE bot_id = ? AND user_id = ?",
                json(dataJson), userId);
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), instant(rs, 7), instant(rs, 8));
    }

    // ---- conversations

    private static final String CONVERSATION_COLUMNS =
            "conversation_id, user_id, title, state::text, started_at, last_message_at";

    /**
     * The conversation, created when it does not exist yet with {@code userId} and {@code title} (an existing one is
     * returned as it is).
     */
    public Conversation ensureConversation(Connection tx, long conversationId, Long userId, String title) {
        Optional<Conversation> found = conversation(tx, conversationId);
        if (found.isPresent()) {
            return found.get();
        }
        try (PreparedStatement ps = tx.prepareStatement("""
                INSERT INTO botvisor.conversations (bot_id, conversation_id, user_id, title) VALUES (?, ?, ?, ?)
                ON CONFLICT (bot_id, conversation_id) DO NOTHING RETURNING\s""" + CONVERSATION_COLUMNS)) {
            ps.setInt(1, botId);
            ps.setLong(2, conversationId);
            ps.setObject(3, userId, Types.BIGINT);
            ps.setString(4, title);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return conversation(rs);
                }
            }
        } catch (SQLException e) {
            throw failed("create conversation " + conversationId, e);
        }
        // Another transaction created it meanwhile.
        return conversation(tx, conversationId).orElseThrow(() -> new StorageException("bot " + botId
                + ": conversation " + conversationId + " was neither created nor found"));
    }

    /** The conversation, or empty. */
    public Optional<Conversation> conversation(Connection tx, long conversationId) {
        return one(tx, "read conversation " + conversationId, "SELECT " + CONVERSATION_COLUMNS
                + " FROM botvisor.conversations WHERE bot_id = ? AND conversation_id = ?", conversationId,
                BotData::conversation);
    }

    /** Replaces the conversation's state (a JSON value); false when there is no such conversation. */
    public boolean putConversationState(Connection tx, long conversationId, String stateJson) {
        return update("store the state of conversation " + conversationId, tx,
                "UPDATE botvisor.conversations SET state = ?::jsonb WHERE bot_id = ? AND conversation_id = ?",
                json(stateJson), conversationId);
    }

    /** Moves the conversation's last message time to {@code at} unless it is later already; false when none. */
    public boolean touchConversation(Connection tx, long conversationId, Instant at) {
        return update("touch conversation " + conversationId, tx, "UPDATE botvisor.conversations"
                + " SET last_message_at = greatest(last_message_at, ?) WHERE bot_id = ? AND conversation_id = ?",
                OffsetDateTime.ofInstant(at, ZoneOffset.UTC), conversationId);
    }

    private static Conversation conversation(ResultSet rs) throws SQLException {
        return new Conversation(rs.getLong(1), OwnBot.nullableLong(rs, 2), rs.getString(3), rs.getString(4),
                instant(rs, 5), instant(rs, 6));
    }

    // ---- messages

    /**
     * Appends messages in one statement; those already stored are skipped. A message's time must fall in a month the
     * maintenance job has made (the current one, a month back at the first migration, three ahead).
     */
    public void appendMessages(Connection tx, List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        int n = messages.size();
        Long[] conversations = new Long[n];
        Long[] ids = new Long[n];
        String[] times = new String[n];
        Long[] users = new Long[n];
        String[] directions = new String[n];
        String[] bodies = new String[n];
        String[] metas = new String[n];
        for (int i = 0; i < n; i++) {
            Message m = messages.get(i);
            conversations[i] = m.conversationId();
            ids[i] = m.messageId();
            times[i] = m.at().toString();
            users[i] = m.userId();
            directions[i] = m.incoming() ? "in" : "out";
            bodies[i] = m.body();
            metas[i] = json(m.metaJson());
        }
        try (PreparedStatement ps = tx.prepareStatement("""
                INSERT INTO botvisor.messages (bot_id, conversation_id, message_id, created_at, user_id, direction,
                                               body, meta)
                SELECT ?, * FROM unnest(?::bigint[], ?::bigint[], ?::text[]::timestamptz[], ?::bigint[], ?::text[],
                                        ?::text[], ?::text[]::jsonb[])
                ON CONFLICT (bot_id, conversation_id, message_id, created_at) DO NOTHING""")) {
            ps.setInt(1, botId);
            ps.setArray(2, tx.createArrayOf("bigint", conversations));
            ps.setArray(3, tx.createArrayOf("bigint", ids));
            ps.setArray(4, tx.createArrayOf("text", times));
            ps.setArray(5, tx.createArrayOf("bigint", users));
            ps.setArray(6, tx.createArrayOf("text", directions));
            ps.setArray(7, tx.createArrayOf("text", bodies));
            ps.setArray(8, tx.createArrayOf("text", metas));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failed("store " + n + " messages", e);
        }
    }

    /** A conversation's most recent messages, newest first, at most {@code limit}. */
    public List<Message> recentMessages(Connection tx, long conversationId, int limit) {
        try (PreparedStatement ps = tx.prepareStatement("""
                SELECT conversation_id, message_id, created_at, user_id, direction, body, meta::text
                  FROM botvisor.messages WHERE bot_id = ? AND conversation_id = ?
                 ORDER BY created_at DESC, message_id DESC LIMIT ?""")) {
            ps.setInt(1, botId);
            ps.setLong(2, conversationId);
            ps.setInt(3, limit);
            List<Message> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Message(rs.getLong(1), rs.getLong(2), instant(rs, 3), OwnBot.nullableLong(rs, 4),
                            "in".equals(rs.getString(5)), rs.getString(6), rs.getString(7)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failed("read conversation " + conversationId + "'s messages", e);
        }
    }

    // ---- profiles

    /** Every profile of the bot, by id. */
    public List<Profile> profiles(Connection tx) {
        try (PreparedStatement ps = tx.prepareStatement("SELECT profile_id, name, persona::text FROM botvisor.profiles"
                + " WHERE bot_id = ? ORDER BY profile_id")) {
            ps.setInt(1, botId);
            List<Profile> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Profile(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failed("read the profiles", e);
        }
    }

    /** The profile, or empty. */
    public Optional<Profile> profile(Connection tx, String profileId) {
        return one(tx, "read profile '" + profileId + "'", "SELECT profile_id, name, persona::text"
                + " FROM botvisor.profiles WHERE bot_id = ? AND profile_id = ?", profileId,
                rs -> new Profile(rs.getString(1), rs.getString(2), rs.getString(3)));
    }

    /** A row mapper: the current row of {@code rs} as a value. */
    private interface Row<T> {
        T of(ResultSet rs) throws SQLException;
    }

    /** The one row of the bot's that {@code sql} (bot id, then {@code key}) selects, or empty. */
    private <T> Optional<T> one(Connection tx, String what, String sql, Object key, Row<T> row) {
        try (PreparedStatement ps = tx.prepareStatement(sql)) {
            ps.setInt(1, botId);
            ps.setObject(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row.of(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(what, e);
        }
    }

    /** Inserts or replaces a profile (audited by the database, like every change to profiles). */
    public void putProfile(Connection tx, Profile profile) {
        try (PreparedStatement ps = tx.prepareStatement("""
                INSERT INTO botvisor.profiles (bot_id, profile_id, name, persona) VALUES (?, ?, ?, ?::jsonb)
                ON CONFLICT (bot_id, profile_id) DO UPDATE
                   SET name = excluded.name, persona = excluded.persona, updated_at = now()""")) {
            ps.setInt(1, botId);
            ps.setString(2, profile.profileId());
            ps.setString(3, profile.name());
            ps.setString(4, json(profile.personaJson()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failed("store profile '" + profile.profileId() + "'", e);
        }
    }

    // ---- helpers

    /** Runs {@code sql} with {@code value}, the bot's id and {@code key}; true when it changed a row. */
    private boolean update(String what, Connection tx, String sql, Object value, long key) {
        try (PreparedStatement ps = tx.prepareStatement(sql)) {
            ps.setObject(1, value);
            ps.setInt(2, botId);
            ps.setLong(3, key);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failed(what, e);
        }
    }

    private static String json(String text) {
        return text == null ? "{}" : text;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private StorageException failed(String what, SQLException e) {
        return new StorageException("bot " + botId + ": cannot " + what + ": " + e.getMessage(), e);
    }
}

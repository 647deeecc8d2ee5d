package io.botvisor.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Imports a {@link LegacyFile} into one bot's rows (docs/legacy-json.md): one transaction, which also registers the
 * bot if needed, rows whose key exists left alone (so a second import changes nothing), and a verification report
 * that reads the rows back and compares a checksum computed the same way over the file and over the database; the
 * transaction commits only if they agree. Stateless.
 */
public final class LegacyImport {
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    static final List<String> TABLES = List.of("users", "profiles", "conversations", "messages");
    /** The provisional id of a bot a dry run does not know: real ids start at 1, the fleet's audit rows use 0. */
    private static final int DRY_RUN_BOT_ID = -1;

    private LegacyImport() {
    }

    /** Rows per table in the file and found in the database, and the two checksums. Immutable. */
    public record Report(String bot, boolean dryRun, Map<String, Integer> inFile, Map<String, Integer> inDatabase,
                         String fileChecksum, String databaseChecksum) {
        public boolean verified() {
            return inFile.equals(inDatabase) && fileChecksum.equals(databaseChecksum);
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(dryRun ? "dry run (nothing kept) into bot '" + bot + "'\n"
                    : verified() ? "imported into bot '" + bot + "'\n"
                    : "NOT imported into bot '" + bot + "' (rolled back: nothing kept)\n");
            b.append(String.format("%-14s %8s %8s%n", "table", "file", "database"));
            inFile.forEach((t, n) -> b.append(String.format("%-14s %8d %8d%n", t, n, inDatabase.get(t))));
            b.append("checksum file ").append(fileChecksum).append(", database ").append(databaseChecksum).append('\n');
            b.append(verified() ? "verified: the database holds every row of the file as written"
                    : "NOT verified: the database holds other content for some of the file's keys (existing rows are "
                    + "never overwritten); compare those rows with the file, fix one or the other, and import again");
            return b.toString();
        }
    }

    /**
     * Registers the bot if it is not yet and imports {@code file} into it, all in one transaction: kept only if the
     * report {@link Report#verified() verifies}; on any failure nothing of it remains (no rows, no bots row, no role,
     * no password file). A dry run registers nothing and keeps nothing; a bot it does not know gets a provisional
     * row with an id no real bot has, so that it uses up no bot id either.
     *
     * @throws IllegalArgumentException if {@code botName} is not a bot id ({@link BotRoles#BOT_NAME})
     * @throws InvalidLegacyFileException if the file names another bot
     * @throws StorageException if the database refused the import (nothing was kept)
     */
    public static Report run(DbEndpoint manager, DbFiles files, String botName, LegacyFile file, boolean dryRun,
                             String correlationId) {
        BotRoles.requireBotName(botName);
        if (file.bot() != null && !file.bot().equals(botName)) {
            throw new InvalidLegacyFileException("import", List.of("$.bot: \"" + file.bot() + "\" is not the bot "
                    + "being imported into ('" + botName + "'); fix --bot or the file"));
        }
        BotRoles.Registration registration = null;
        Report report;
        boolean kept;
        try (Connection c = manager.connect()) {
            c.setAutoCommit(false);
            try {
                Audit.correlate(c, correlationId);
                int botId;
                if (dryRun) {
                    botId = existingOrProvisional(c, botName);
                } else {
                    registration = new BotRoles(manager, files).register(c, botName, correlationId, -1);
                    botId = registration.credentials().botId();
                }
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL ROLE botvisor_admin");
                }
                ensureMonths(c, file);
                insertUsers(c, botId, file.users());
                insertProfiles(c, botId, file.profiles());
                insertConversations(c, botId, file);
                insertMessages(c, botId, file.messages());
                report = verify(c, botName, botId, file, dryRun);
                kept = !dryRun && report.verified();
                if (kept) {
                    Audit.write(c, botId, "bot.import-json", botName, null, "{\"users\": " + file.users().size()
                            + ", \"profiles\": " + file.profiles().size() + ", \"conversations\": "
                            + file.conversations().size() + ", \"messages\": " + file.messages().size() + "}",
                            correlationId);
                    c.commit();
                } else {
                    c.rollback();
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("import into bot '" + botName + "' failed, nothing was kept: " + e.getMessage(), e);
        }
        if (kept && registration != null) {
            try {
                registration.committed();
            } catch (StorageException e) {
                throw new StorageException("imported into bot '" + botName + "', but " + e.getMessage() + "; the "
                        + "supervisor gives the bot a new password when it next starts it", e);
            }
        }
        return report;
    }

    /**
     * The bot's id, or, for a dry run into a bot not registered yet, a provisional row rolled back with everything
     * else. Its id is given here, not drawn from the identity sequence: a sequence does not roll back, and the next
     * bot registered would otherwise skip an id (and its role a name).
     */
    private static int existingOrProvisional(Connection c, String botName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT bot_id FROM botvisor.bots WHERE name = ?")) {
            ps.setString(1, botName);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return rs.getInt(1);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO botvisor.bots (bot_id, name, role_name) "
                + "OVERRIDING SYSTEM VALUE VALUES (?, ?, ?)")) {
            ps.setInt(1, DRY_RUN_BOT_ID);
            ps.setString(2, botName);
            ps.setString(3, "dry-run-" + botName);
            ps.executeUpdate();
            return DRY_RUN_BOT_ID;
        }
    }

    private static void ensureMonths(Connection c, LegacyFile file) throws SQLException {
        Instant first = file.messages().stream().map(LegacyFile.Message::at).min(Instant::compareTo).orElse(null);
        Instant last = file.messages().stream().map(LegacyFile.Message::at).max(Instant::compareTo).orElse(null);
        if (first == null) {
            return;
        }
        long months = ChronoUnit.MONTHS.between(first.atOffset(ZoneOffset.UTC).withDayOfMonth(1).toLocalDate(),
                last.atOffset(ZoneOffset.UTC).withDayOfMonth(1).toLocalDate()) + 1;
        try (PreparedStatement ps = c.prepareStatement("SELECT botvisor.ensure_month_partitions('messages', ?, ?)")) {
            ps.setObject(1, first.atOffset(ZoneOffset.UTC).toLocalDate());
            ps.setInt(2, (int) months);
            ps.executeQuery().close();
        }
    }

    private static void insertUsers(Connection c, int botId, List<LegacyFile.User> users) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO botvisor.users (bot_id, user_id, username, first_name, last_name, language_code, data,
                                            created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, coalesce(?::jsonb, '{}'), coalesce(?, now()), coalesce(?, now()))
                ON CONFLICT (bot_id, user_id) DO NOTHING""")) {
            for (LegacyFile.User u : users) {
                ps.setInt(1, botId);
                ps.setLong(2, u.id());
                ps.setString(3, u.username());
                ps.setString(4, u.firstName());
                ps.setString(5, u.lastName());
                ps.setString(6, u.languageCode());
                ps.setString(7, u.dataJson());
                ps.setObject(8, ts(u.createdAt()), Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setObject(9, ts(u.createdAt()), Types.TIMESTAMP_WITH_TIMEZONE);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertProfiles(Connection c, int botId, List<LegacyFile.Profile> profiles) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO botvisor.profiles (bot_id, profile_id, name, persona)
                VALUES (?, ?, ?, coalesce(?::jsonb, '{}'))
                ON CONFLICT (bot_id, profile_id) DO NOTHING""")) {
            for (LegacyFile.Profile p : profiles) {
                ps.setInt(1, botId);
                ps.setString(2, p.id());
                ps.setString(3, p.name());
                ps.setString(4, p.personaJson());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertConversations(Connection c, int botId, LegacyFile file) throws SQLException {
        Map<Long, Instant> lastMessage = new LinkedHashMap<>();
        for (LegacyFile.Message m : file.messages()) {
            lastMessage.merge(m.conversationId(), m.at(), (a, b) -> a.isAfter(b) ? a : b);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO botvisor.conversations (bot_id, conversation_id, user_id, title, state, started_at,
                                                    last_message_at)
                VALUES (?, ?, ?, ?, coalesce(?::jsonb, '{}'), coalesce(?, ?, now()), ?)
                ON CONFLICT (bot_id, conversation_id) DO NOTHING""")) {
            for (LegacyFile.Conversation v : file.conversations()) {
                ps.setInt(1, botId);
                ps.setLong(2, v.id());
                ps.setObject(3, v.userId(), Types.BIGINT);
                ps.setString(4, v.title());
                ps.setString(5, v.stateJson());
                ps.setObject(6, ts(v.startedAt()), Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setObject(7, ts(lastMessage.get(v.id())), Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setObject(8, ts(lastMessage.get(v.id())), Types.TIMESTAMP_WITH_TIMEZONE);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertMessages(Connection c, int botId, List<LegacyFile.Message> messages) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO botvisor.messages (bot_id, conversation_id, message_id, created_at, user_id, direction, body)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (bot_id, conversation_id, message_id, created_at) DO NOTHING""")) {
            for (LegacyFile.Message m : messages) {
                ps.setInt(1, botId);
                ps.setLong(2, m.conversationId());
                ps.setLong(3, m.id());
                ps.setObject(4, ts(m.at()), Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setObject(5, m.userId(), Types.BIGINT);
                ps.setString(6, m.fromUser() ? "in" : "out");
                ps.setString(7, m.text());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    // ---- verification: the same canonical lines from the file and from the rows read back ----------------------

    private static Report verify(Connection c, String botName, int botId, LegacyFile file, boolean dryRun)
            throws SQLException {
        Map<String, List<String>> fromFile = new LinkedHashMap<>();
        fromFile.put("users", lines(file.users(), u -> line(u.id(), u.username(), u.firstName(), u.lastName(),
                u.languageCode(), json(u.dataJson()))));
        fromFile.put("profiles", lines(file.profiles(), p -> line(p.id(), p.name(), json(p.personaJson()))));
        fromFile.put("conversations", lines(file.conversations(), v -> line(v.id(), v.userId(), v.title(),
                json(v.stateJson()))));
        fromFile.put("messages", lines(file.messages(), m -> line(m.conversationId(), m.id(), micros(m.at()),
                m.userId(), m.fromUser() ? "in" : "out", m.text())));
        Map<String, List<String>> fromDb = new LinkedHashMap<>();
        fromDb.put("users", query(c, botId, "SELECT user_id, username, first_name, last_name, language_code, "
                + "data::text FROM botvisor.users WHERE bot_id = ? AND user_id = ANY (?)",
                longs(c, file.users().stream().map(LegacyFile.User::id).toList()),
                rs -> line(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        json(rs.getString(6)))));
        fromDb.put("profiles", query(c, botId, "SELECT profile_id, name, persona::text FROM botvisor.profiles "
                + "WHERE bot_id = ? AND profile_id = ANY (?)",
                c.createArrayOf("text", file.profiles().stream().map(LegacyFile.Profile::id).toArray()),
                rs -> line(rs.getString(1), rs.getString(2), json(rs.getString(3)))));
        fromDb.put("conversations", query(c, botId, "SELECT conversation_id, user_id, title, state::text FROM "
                + "botvisor.conversations WHERE bot_id = ? AND conversation_id = ANY (?)",
                longs(c, file.conversations().stream().map(LegacyFile.Conversation::id).toList()),
                rs -> line(rs.getLong(1), (Long) rs.getObject(2), rs.getString(3), json(rs.getString(4)))));
        fromDb.put("messages", query(c, botId, "SELECT m.conversation_id, m.message_id, "
                + "(extract(epoch FROM m.created_at) * 1000000)::bigint, m.user_id, m.direction, m.body "
                + "FROM botvisor.messages m WHERE m.bot_id = ? AND m.conversation_id || '/' || m.message_id || '/' "
                + "|| (extract(epoch FROM m.created_at) * 1000000)::bigint = ANY (?::text[])",
                c.createArrayOf("text", file.messages().stream().map(m -> m.conversationId() + "/" + m.id() + "/"
                        + micros(m.at())).toArray()),
                rs -> line(rs.getLong(1), rs.getLong(2), rs.getLong(3), (Long) rs.getObject(4), rs.getString(5),
                        rs.getString(6))));
        Map<String, Integer> inFile = new LinkedHashMap<>();
        Map<String, Integer> inDb = new LinkedHashMap<>();
        for (String t : TABLES) {
            inFile.put(t, fromFile.get(t).size());
            inDb.put(t, fromDb.get(t).size());
        }
        return new Report(botName, dryRun, inFile, inDb, checksum(fromFile), checksum(fromDb));
    }

    private interface RowLine {
        String apply(ResultSet rs) throws SQLException;
    }

    private static List<String> query(Connection c, int botId, String sql, Array keys, RowLine line)
            throws SQLException {
        // Every query reads as: WHERE bot_id = ? AND <key> = ANY (?)
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, botId);
            ps.setArray(2, keys);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(line.apply(rs));
                }
            }
            Collections.sort(out);
            return out;
        }
    }

    private static Array longs(Connection c, List<Long> ids) throws SQLException {
        return c.createArrayOf("bigint", ids.toArray());
    }

    private static <T> List<String> lines(List<T> rows, Function<T, String> line) {
        List<String> out = new ArrayList<>(rows.stream().map(line).toList());
        Collections.sort(out);
        return out;
    }

    private static String line(Object... values) {
        StringBuilder b = new StringBuilder();
        for (Object v : values) {
            b.append(v == null ? "\\N" : v.toString().replace("\\", "\\\\").replace("|", "\\|")).append('|');
        }
        return b.toString();
    }

    /** JSON with keys sorted at every level, so that jsonb's and the file's spellings of one value compare equal. */
    private static String json(String text) {
        if (text == null) {
            return "{}";
        }
        try {
            return CANONICAL.writeValueAsString(CANONICAL.readValue(text, Object.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StorageException("unreadable JSON value: " + e.getOriginalMessage(), e);
        }
    }

    private static long micros(Instant t) {
        return t == null ? 0 : ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    private static java.time.OffsetDateTime ts(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }

    private static String checksum(Map<String, List<String>> tables) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            tables.forEach((t, lines) -> {
                sha.update(t.getBytes(StandardCharsets.UTF_8));
                lines.forEach(l -> sha.update((l + "\n").getBytes(StandardCharsets.UTF_8)));
            });
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.botvisor.storage;

import io.botvisor.storage.internal.Secrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;

/**
 * Registers bots in the database: a row in {@code bots} (its numeric id is the partition key), a login role
 * {@code bot_<id>} that is a member of {@code botvisor_bots} but may not {@code SET ROLE} to it (with its session
 * defaults, {@link #LOCK_TIMEOUT} and {@link #IDLE_IN_TRANSACTION_TIMEOUT}), and a generated
 * password in a 0600 file under the state dir. The password travels to the server only as a SCRAM verifier computed
 * here (never in SQL text, so never in server logs). Every change writes an audit row. Runs as the managing role
 * (the embedded superuser, or an external admin with CREATEROLE). Stateless apart from its settings; thread-safe.
 *
 * <p>A bot's id names its password file and its row: every entry point refuses a name that is not a bot id
 * ({@link #BOT_NAME}), whatever its caller checked before.
 */
public final class BotRoles {
    /**
     * What a bot id is: the fleet file's rule, and the CHECK on {@code bots.name}. Storage's own copy, so that no
     * caller can hand it a name that builds a path ({@code ../../x}) or a role name it did not mean.
     */
    public static final Pattern BOT_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
    /** {@link #BOT_NAME} in words, for messages: {@code (expected …)}. */
    public static final String BOT_NAME_EXPECTED = "1-40 of a-z, 0-9, '-', starting with a letter or digit";
    /**
     * A bot session's defaults, set on its role: the longest wait for a lock, and the longest a transaction may sit
     * idle before the server ends the session (and with it every lock it held). A bot may SET its own otherwise: they
     * bound an honest bot's mistakes (a forgotten transaction that blocks the maintenance job's partition changes),
     * and keep every bot from waiting forever behind another's lock; the walls between bots are the grants.
     */
    public static final String LOCK_TIMEOUT = "1min";
    /** See {@link #LOCK_TIMEOUT}. Longer than a slow handler's pause between two statements is expected to be. */
    public static final String IDLE_IN_TRANSACTION_TIMEOUT = "5min";

    private final DbEndpoint manager;
    private final DbFiles files;

    public BotRoles(DbEndpoint manager, DbFiles files) {
        this.manager = manager;
        this.files = files;
    }

    /**
     * The bot's credentials, registering it (or re-enabling it) first if needed. Idempotent. A lost password file
     * gets a new password.
     */
    public BotCredentials ensure(String botName, String correlationId) {
        return ensure(botName, correlationId, -1);
    }

    /** As {@link #ensure(String, String)}, and sets the role's CONNECTION LIMIT ({@code -1}: none). */
    public BotCredentials ensure(String botName, String correlationId, int connectionLimit) {
        return ensureAll(List.of(botName), correlationId, connectionLimit).get(0);
    }

    /**
     * {@link #ensure(String, String, int)} for a whole fleet over one connection (a fleet start registers every bot;
     * a login each would be hundreds of SCRAM handshakes). One transaction per bot, in order.
     */
    public List<BotCredentials> ensureAll(List<String> botNames, String correlationId, int connectionLimit) {
        List<BotCredentials> out = new ArrayList<>(botNames.size());
        String current = null;
        try (Connection c = manager.connect()) {
            c.setAutoCommit(false);
            for (String botName : botNames) {
                current = botName;
                out.add(ensure(c, botName, correlationId, connectionLimit));
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException("cannot register bot '" + current + "' in " + manager + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code botName}, if it is a bot id.
     *
     * @throws IllegalArgumentException naming the value and what a bot id is
     */
    public static String requireBotName(String botName) {
        if (botName == null || !BOT_NAME.matcher(botName).matches()) {
            throw new IllegalArgumentException((botName == null ? "null" : "\"" + botName + "\"")
                    + " is not a bot id (expected " + BOT_NAME_EXPECTED + ")");
        }
        return botName;
    }

    private BotCredentials ensure(Connection c, String botName, String correlationId, int connectionLimit)
            throws SQLException {
        Registration r = register(c, botName, correlationId, connectionLimit);
        c.commit();
        r.committed();
        return r.credentials();
    }

    /**
     * A registration made in a caller's transaction. A new password reaches its file only through
     * {@link #committed()}, called once the transaction has committed: a registration rolled back leaves no file
     * (a file written first would outlive it). Should the process die between the commit and the write, the role is
     * left without a file and the next {@link #ensure} gives it a new password.
     */
    record Registration(BotCredentials credentials, Path passwordFile, boolean newPassword) {
        void committed() {
            if (newPassword) {
                Secrets.write(passwordFile, credentials.password());
            }
        }
    }

    /**
     * Registers the bot (or re-enables it, or gives it a new password if its file is lost) in {@code c}'s open
     * transaction, which it neither commits nor rolls back; CREATE ROLE and ALTER ROLE roll back with it.
     */
    Registration register(Connection c, String botName, String correlationId, int connectionLimit)
            throws SQLException {
        requireBotName(botName);
        Audit.correlate(c, correlationId);
        Row row = find(c, botName);
        boolean created = row == null;
        if (created) {
            row = insert(c, botName);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE ROLE " + quoteIdent(row.role) + " LOGIN INHERIT");
                st.execute("GRANT botvisor_bots TO " + quoteIdent(row.role) + " WITH INHERIT TRUE, SET FALSE");
            }
        }
        String password;
        boolean newPassword = created || !Files.exists(files.botPassword(botName));
        if (newPassword) {
            password = Secrets.generate();
            c.unwrap(PGConnection.class).alterUserPassword(row.role, password.toCharArray(), "scram-sha-256");
        } else {
            password = Secrets.read(files.botPassword(botName));
        }
        connectionLimit(c, row.role, connectionLimit);
        sessionDefaults(c, row.role);
        if (!row.enabled) {
            try (Statement st = c.createStatement()) {
                st.execute("ALTER ROLE " + quoteIdent(row.role) + " LOGIN");
            }
            setEnabled(c, row.botId, true);
        }
        if (created || newPassword || !row.enabled) {
            Audit.write(c, row.botId, created ? "bot.register" : row.enabled ? "bot.new-password" : "bot.enable",
                    botName, created ? null : "{\"enabled\": " + row.enabled + "}",
                    "{\"enabled\": true, \"role\": \"" + row.role + "\"}", correlationId);
        }
        return new Registration(new BotCredentials(row.botId, botName, row.role, password),
                files.botPassword(botName), newPassword);
    }

    /**
     * Sets a bot role's CONNECTION LIMIT ({@code -1}: none) on the caller's connection, in its transaction if one is
     * open. The server checks it at login only: sessions already open stay.
     */
    public static void connectionLimit(Connection c, String role, int limit) throws SQLException {
        if (!role.startsWith("bot_")) {
            throw new IllegalArgumentException("\"" + role + "\" is not a bot's role (expected bot_<id>)");
        }
        try (Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + quoteIdent(role) + " CONNECTION LIMIT " + limit);
        }
    }

    /**
     * Sets {@link #LOCK_TIMEOUT} and {@link #IDLE_IN_TRANSACTION_TIMEOUT} on the role: at every registration, so that
     * roles made before they existed get them too. Sessions already open keep what they had.
     */
    private static void sessionDefaults(Connection c, String role) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + quoteIdent(role) + " SET lock_timeout = '" + LOCK_TIMEOUT + "'");
            st.execute("ALTER ROLE " + quoteIdent(role) + " SET idle_in_transaction_session_timeout = '"
                    + IDLE_IN_TRANSACTION_TIMEOUT + "'");
        }
    }

    /** Disables a bot: its role can no longer log in, its sessions are ended, its rows stay. Idempotent. */
    public void disable(String botName, String correlationId) {
        requireBotName(botName);
        try (Connection c = manager.connect()) {
            c.setAutoCommit(false);
            Audit.correlate(c, correlationId);
            Row row = find(c, botName);
            if (row == null || !row.enabled) {
                return;
            }
            try (Statement st = c.createStatement()) {
                st.execute("ALTER ROLE " + quoteIdent(row.role) + " NOLOGIN");
            }
            setEnabled(c, row.botId, false);
            Audit.write(c, row.botId, "bot.disable", botName, "{\"enabled\": true}", "{\"enabled\": false}",
                    correlationId);
            c.commit();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?")) {
                ps.setString(1, row.role);
                ps.executeQuery().close();
            }
            c.commit();
        } catch (SQLException e) {
            throw new StorageException("cannot disable bot '" + botName + "' in " + manager + ": " + e.getMessage(), e);
        }
    }

    private record Row(int botId, String role, boolean enabled) {
    }

    private static Row find(Connection c, String botName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT bot_id, role_name, enabled FROM botvisor.bots WHERE name = ? FOR UPDATE")) {
            ps.setString(1, botName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Row(rs.getInt(1), rs.getString(2), rs.getBoolean(3)) : null;
            }
        }
    }

    private static Row insert(Connection c, String botName) throws SQLException {
        // The role's name carries the id: the RLS policy reads it back with split_part(current_user, '_', 2).
        try (PreparedStatement ps = c.prepareStatement("""
                WITH n AS (SELECT nextval(pg_get_serial_sequence('botvisor.bots', 'bot_id'))::integer AS id)
                INSERT INTO botvisor.bots (bot_id, name, role_name) OVERRIDING SYSTEM VALUE
                SELECT id, ?, 'bot_' || id FROM n
                RETURNING bot_id, role_name""")) {
            ps.setString(1, botName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Row(rs.getInt(1), rs.getString(2), true);
            }
        }
    }

    private static void setEnabled(Connection c, int botId, boolean enabled) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE botvisor.bots SET enabled = ?, updated_at = now() WHERE bot_id = ?")) {
            ps.setBoolean(1, enabled);
            ps.setInt(2, botId);
            ps.executeUpdate();
        }
    }

    static String quoteIdent(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }
}

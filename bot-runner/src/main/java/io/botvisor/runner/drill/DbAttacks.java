package io.botvisor.runner.drill;

import io.botvisor.ipc.ChildSpec;
import io.botvisor.storage.EmbeddedDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * {@link AttackBot}'s attempts on the database: logins as the superuser, the admin and other bots' roles with every
 * password it could get, and, through its own pool and role, other bots' rows and {@code SET ROLE} to other roles.
 * Confined to the attack thread.
 */
final class DbAttacks {
    /**
     * Admin login names to try: {@code botvisor} is the README's {@code adminUser} for an external server (the
     * embedded one has none: the supervisor manages it as {@code postgres}); {@code botvisor_admin} is the group role
     * that sees every bot's rows (NOLOGIN, so it must be refused either way).
     */
    static final List<String> ADMIN_USERS = List.of("botvisor", "botvisor_admin");
    /** The tables that hold rows per bot ({@code bot_id}), as the changelog creates them. */
    static final List<String> BOT_TABLES = List.of("bots", "users", "profiles", "conversations", "messages",
            "bot_metrics", "audit_log");
    /** Other bots' roles tried at most: the peer is among them (its numeric id is not known to the attacker). */
    private static final int MAX_OTHER_ROLES = 16;
    private static final String OTHER_ROLES = "SELECT rolname FROM pg_roles WHERE rolname ~ '^bot_[0-9]+$' "
            + "AND rolname <> current_user ORDER BY rolname LIMIT " + MAX_OTHER_ROLES;
    private final Target target;
    private final ChildSpec.Db db;
    private final DataSource own;

    /**
     * @param db  the database the bot's own spec names (URL, own role)
     * @param own the bot's own pool
     */
    DbAttacks(Target target, ChildSpec.Db db, DataSource own) {
        this.target = target;
        this.db = db;
        this.own = own;
    }

    static Outcome noDatabase() {
        return Outcome.error("the fleet has no database: nothing to attack there (set database.enabled: true)");
    }

    /** Other bots' login roles, as the catalog (readable by every role) lists them. */
    List<String> otherBotRoles() throws SQLException {
        List<String> roles = new ArrayList<>();
        try (Connection c = own.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(OTHER_ROLES)) {
            while (rs.next()) {
                roles.add(rs.getString(1));
            }
        }
        return roles;
    }

    /**
     * Logs in as each of {@code users} with the empty password, the bot's own password and every secret in
     * {@code loot}: escaped at the first login the server accepts, blocked when it refuses every one.
     */
    Outcome login(List<String> users, List<Loot> loot) {
        if (users.isEmpty()) {
            return Outcome.error("no role to try");
        }
        List<Loot> passwords = new ArrayList<>();
        passwords.add(new Loot("empty password", null, ""));
        passwords.addAll(loot);
        int refused = 0;
        String example = null;
        for (String user : users) {
            for (Loot pw : passwords) {
                Properties p = new Properties();
                p.setProperty("user", user);
                p.setProperty("password", pw.value());
                p.setProperty("loginTimeout", "10");
                p.setProperty("connectTimeout", "10");
                p.setProperty("ApplicationName", "botvisor-attack");
                String with = pw.source() == null ? "the " + pw.label() : "the " + pw.label() + " read from "
                        + target.show(pw.source());
                try (Connection c = DriverManager.getConnection(db.url(), p)) {
                    return Outcome.escaped("logged in as " + user + " with " + with);
                } catch (SQLException e) {
                    if (acceptedThenLimited(e)) {
                        return Outcome.escaped("the server accepted " + with + " for " + user + ", then refused the "
                                + "session only for the role's connection limit (" + e.getMessage() + ")");
                    }
                    if (!refusedLogin(e)) {
                        return Outcome.error("login as " + user + ": " + Outcome.describe(e));
                    }
                    refused++;
                    example = example == null ? Outcome.describe(e) : example;
                }
            }
        }
        return Outcome.blocked(refused + " logins as " + String.join(", ", users) + " refused, e.g. " + example);
    }

    /**
     * The role's CONNECTION LIMIT is checked after the password (PostgreSQL authenticates first, then sets up the
     * session user), so this refusal means the password was right. Not the server-wide "too many clients", which
     * comes before authentication with the same SQLSTATE.
     */
    private static boolean acceptedThenLimited(SQLException e) {
        return "53300".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("too many connections for "
                + "role");
    }

    /**
     * The server refused the credentials (SQLSTATE class 28), or the driver would not even try because the server
     * demands a password and the empty one is none (08004): either way no trust login.
     */
    private static boolean refusedLogin(SQLException e) {
        String state = String.valueOf(e.getSQLState());
        return state.startsWith("28") || state.equals("08004") && String.valueOf(e.getMessage()).contains("password");
    }

    /**
     * Through its own pool: counts other bots' rows in every per-bot table (row-level security should show none, or
     * refuse the table), then tries {@code SET ROLE} to other bots' roles, the group roles and the superuser.
     */
    Outcome readPeerRows(List<String> otherRoles) {
        List<String> seen = new ArrayList<>();
        List<String> denied = new ArrayList<>();
        List<String> becameRoles = new ArrayList<>();
        int roleRefusals = 0;
        try (Connection c = own.getConnection(); Statement st = c.createStatement()) {
            for (String table : BOT_TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM botvisor." + table
                        + " WHERE bot_id <> split_part(current_user, '_', 2)::integer")) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        seen.add(rs.getLong(1) + " in " + table);
                    }
                } catch (SQLException e) {
                    if (!"42501".equals(e.getSQLState())) {
                        return Outcome.error("counting other bots' rows in " + table + ": " + Outcome.describe(e));
                    }
                    denied.add(table);
                }
            }
            List<String> roles = new ArrayList<>(otherRoles);
            roles.addAll(List.of("botvisor_bots", "botvisor_admin", "botvisor_owner", EmbeddedDatabase.SUPERUSER));
            for (String role : roles) {
                try {
                    st.execute("SET ROLE \"" + role.replace("\"", "\"\"") + "\"");
                    becameRoles.add(role);
                    st.execute("RESET ROLE");
                } catch (SQLException e) {
                    if (!"42501".equals(e.getSQLState()) && !"42704".equals(e.getSQLState())) {
                        return Outcome.error("SET ROLE " + role + ": " + Outcome.describe(e));
                    }
                    roleRefusals++; // 42704: no such role (an external server without the name): nothing to become
                }
            }
        } catch (SQLException e) {
            return Outcome.error("through its own pool: " + Outcome.describe(e));
        }
        if (!seen.isEmpty() || !becameRoles.isEmpty()) {
            return Outcome.escaped((seen.isEmpty() ? "" : "saw other bots' rows: " + String.join(", ", seen) + "; ")
                    + (becameRoles.isEmpty() ? "" : "SET ROLE succeeded for " + String.join(", ", becameRoles)));
        }
        return Outcome.blocked("no other bot's rows in " + (BOT_TABLES.size() - denied.size()) + " tables"
                + (denied.isEmpty() ? "" : ", permission denied for " + String.join(", ", denied))
                + "; SET ROLE refused for " + roleRefusals + " roles");
    }
}

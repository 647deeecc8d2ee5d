package io.botvisor.supervisor.cli;

import io.botvisor.storage.DbEndpoint;
import io.botvisor.storage.internal.Secrets;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.db.DbSession;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Whom {@code botvisor db url} and {@code db psql} log in as, and as which role they look. Stateless. */
final class DbLogins {
    private DbLogins() {
    }

    /** Whom to log in as: the managing role, or a registered bot's role with the password from its file. */
    record Login(DbEndpoint endpoint, Path passwordFile) {
        static Login of(DbSession db, String bot, Specs.Database spec) throws SQLException {
            if (bot == null) {
                return new Login(db.manager(), spec.embedded() ? db.files().superuserPassword() : spec.passwordFile());
            }
            Path file = db.files().botPassword(bot);
            return new Login(db.manager().as(roleOf(db, bot), Secrets.read(file)), file);
        }
    }

    /** The database role of a registered bot; SupervisorException naming the bot when it is not registered. */
    static String roleOf(DbSession db, String bot) throws SQLException {
        try (Connection c = db.manager().connect();
             PreparedStatement ps = c.prepareStatement("SELECT role_name FROM botvisor.bots WHERE name = ?")) {
            ps.setString(1, bot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SupervisorException("bot '" + bot + "' is not registered in the database (it is "
                            + "registered when the supervisor first starts it)");
                }
                return rs.getString(1);
            }
        }
    }

    /**
     * Makes sure {@code admin} may SET ROLE to a bot's {@code role}, and returns the role. The embedded superuser
     * may; an external admin (CREATEROLE, PostgreSQL 16+) holds ADMIN OPTION on the roles it created but not SET, so
     * it grants itself SET once — without INHERIT: it gains none of the bot's privileges unless it switches.
     */
    static String lookAs(DbEndpoint admin, String role) throws SQLException {
        if (!role.matches("bot_[0-9]+")) {
            throw new SupervisorException("role \"" + role + "\" in botvisor.bots is not a bot's role (expected "
                    + "bot_N); refusing to switch to it");
        }
        try (Connection c = admin.connect()) {
            boolean may;
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_has_role(current_user, ?, 'SET')")) {
                ps.setString(1, role);
                try (ResultSet rs = ps.executeQuery()) {
                    may = rs.next() && rs.getBoolean(1);
                }
            }
            if (!may) {
                try (Statement st = c.createStatement()) {
                    st.execute("GRANT " + role + " TO CURRENT_USER WITH INHERIT FALSE, SET TRUE");
                }
                System.err.println("botvisor db psql: granted " + admin.user() + " SET ROLE " + role + " (once; "
                        + "without INHERIT)");
            }
        }
        return role;
    }
}

package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bot roles against a real PostgreSQL: each bot reaches its own rows only, whatever it tries; the admin sees all. */
class RowLevelSecurityIT {
    @TempDir
    static Path state;
    static TestDatabase db;
    static BotCredentials a;
    static BotCredentials b;

    @BeforeAll
    static void setUp() throws SQLException {
        db = TestDatabase.start(state).migrated();
        BotRoles roles = new BotRoles(db.manager, db.files);
        a = roles.ensure("bot-a", "test-1");
        b = roles.ensure("bot-b", "test-2");
        for (BotCredentials bot : List.of(a, b)) {
            try (Connection c = db.as(bot).connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO botvisor.users (bot_id, user_id, username) VALUES (" + bot.botId()
                        + ", 1, '" + bot.botName() + "-user')");
                st.execute("INSERT INTO botvisor.messages (bot_id, conversation_id, message_id, created_at, direction, "
                        + "body) VALUES (" + bot.botId() + ", 1, 1, now(), 'in', 'hello from " + bot.botName() + "')");
            }
        }
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @Test
    void botSelectsOnlyItsOwnRowsThroughTheParentTable() throws SQLException {
        assertThat(strings(a, "SELECT username FROM botvisor.users")).containsExactly("bot-a-user");
        assertThat(strings(a, "SELECT username FROM botvisor.users WHERE bot_id = " + b.botId())).isEmpty();
        assertThat(strings(a, "SELECT body FROM botvisor.messages")).containsExactly("hello from bot-a");
    }

    @Test
    void botCannotInsertARowForAnotherBot() {
        assertThatThrownBy(() -> exec(a, "INSERT INTO botvisor.users (bot_id, user_id) VALUES (" + b.botId() + ", 2)"))
                .hasMessageContaining("new row violates row-level security policy");
    }

    @Test
    void botUpdatesAndDeletesNothingOfAnotherBot() throws SQLException {
        assertThat(exec(a, "UPDATE botvisor.users SET username = 'stolen' WHERE bot_id = " + b.botId())).isZero();
        // Bots delete nothing at all (changeset 9-no-table-locks-for-bots; TableLocksIT says why).
        assertThatThrownBy(() -> exec(a, "DELETE FROM botvisor.users WHERE bot_id = " + b.botId()))
                .hasMessageContaining("permission denied for table users");
        assertThatThrownBy(() -> exec(a, "DELETE FROM botvisor.messages WHERE bot_id = " + b.botId()))
                .hasMessageContaining("permission denied for table messages");
        assertThat(strings(b, "SELECT username FROM botvisor.users")).containsExactly("bot-b-user");
    }

    @Test
    void botCannotMoveItsRowToAnotherBot() {
        assertThatThrownBy(() -> exec(a, "UPDATE botvisor.users SET bot_id = " + b.botId()))
                .hasMessageContaining("permission denied for table users");
    }

    @Test
    void botIsDeniedEveryPartitionDirectly() throws SQLException {
        for (String partition : strings(db.manager, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON "
                + "c.oid = i.inhrelid WHERE i.inhparent = 'botvisor.users'::regclass")) {
            assertThatThrownBy(() -> strings(a, "SELECT username FROM botvisor." + partition))
                    .as(partition).hasMessageContaining("permission denied");
        }
    }

    @Test
    void sessionSettingsDoNotWidenWhatABotSees() throws SQLException {
        try (Connection c = db.as(a).connect(); Statement st = c.createStatement()) {
            st.execute("SET app.bot_id = '" + b.botId() + "'");
            st.execute("SET app.current_bot = 'bot-b'");
            st.execute("SET row_security = off");
            assertThatThrownBy(() -> st.executeQuery("SELECT username FROM botvisor.users").close())
                    .hasMessageContaining("query would be affected by row-level security policy");
        }
        try (Connection c = db.as(a).connect(); Statement st = c.createStatement()) {
            st.execute("SET app.bot_id = '" + b.botId() + "'");
            assertThat(column(st.executeQuery("SELECT username FROM botvisor.users"))).containsExactly("bot-a-user");
        }
    }

    @Test
    void botCannotSetRoleToTheGroupOrAnotherBot() {
        assertThatThrownBy(() -> exec(a, "SET ROLE botvisor_bots")).hasMessageContaining("permission denied");
        assertThatThrownBy(() -> exec(a, "SET ROLE " + b.role())).hasMessageContaining("permission denied");
        assertThatThrownBy(() -> exec(a, "SET ROLE botvisor_admin")).hasMessageContaining("permission denied");
    }

    @Test
    void botCannotChangePoliciesOrReadTheAuditLog() {
        assertThatThrownBy(() -> exec(a, "DROP POLICY bot_own ON botvisor.users"))
                .hasMessageContaining("must be owner");
        assertThatThrownBy(() -> exec(a, "ALTER TABLE botvisor.users DISABLE ROW LEVEL SECURITY"))
                .hasMessageContaining("must be owner");
        assertThatThrownBy(() -> strings(a, "SELECT action FROM botvisor.audit_log"))
                .hasMessageContaining("permission denied");
    }

    @Test
    void botSeesOnlyItsOwnRowOfBots() throws SQLException {
        assertThat(strings(a, "SELECT name FROM botvisor.bots")).containsExactly("bot-a");
    }

    @Test
    void adminRoleSeesEveryBotsRows() throws SQLException {
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            st.execute("SET ROLE botvisor_admin");
            assertThat(column(st.executeQuery("SELECT username FROM botvisor.users ORDER BY 1")))
                    .containsExactly("bot-a-user", "bot-b-user");
            assertThat(column(st.executeQuery("SELECT action FROM botvisor.audit_log ORDER BY audit_id")))
                    .containsExactly("bots.insert", "bot.register", "bots.insert", "bot.register");
        }
    }

    @Test
    void botQueryScansOnePartitionOnly() throws SQLException {
        String plan = String.join("\n", strings(a,
                "EXPLAIN (COSTS OFF) SELECT username FROM botvisor.users WHERE bot_id = " + a.botId()));
        java.util.Set<String> partitions = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("users_h\\d\\d").matcher(plan);
        while (m.find()) {
            partitions.add(m.group());
        }
        assertThat(partitions).as(plan).hasSize(1);
    }

    private static List<String> strings(BotCredentials bot, String sql) throws SQLException {
        return strings(db.as(bot), sql);
    }

    private static List<String> strings(DbEndpoint e, String sql) throws SQLException {
        try (Connection c = e.connect(); Statement st = c.createStatement()) {
            return column(st.executeQuery(sql));
        }
    }

    private static int exec(BotCredentials bot, String sql) throws SQLException {
        try (Connection c = db.as(bot).connect(); Statement st = c.createStatement()) {
            st.execute(sql);
            return Math.max(0, st.getUpdateCount());
        }
    }

    private static List<String> column(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}

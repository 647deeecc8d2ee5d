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

/** Bot A attacks bot B's inbox and outbox by every route it has; B's rows stay B's. */
class InboxOutboxSecurityIT {
    @TempDir
    static Path state;
    static TestDatabase db;
    static BotCredentials a;
    static BotCredentials b;
    static BotPool poolA;
    static BotPool poolB;
    static long itemOfB;

    @BeforeAll
    static void setUp() throws SQLException {
        db = TestDatabase.start(state).migrated();
        BotRoles roles = new BotRoles(db.manager, db.files);
        a = roles.ensure("bot-a", "test-1");
        b = roles.ensure("bot-b", "test-2");
        poolA = BotPool.open(a.botName(), db.manager.url(), a.role(), db.files.botPassword(a.botName()), 2);
        poolB = BotPool.open(b.botName(), db.manager.url(), b.role(), db.files.botPassword(b.botName()), 2);
        Inbox.of(poolA.dataSource()).record(List.of(new Inbox.Received(1, "message", 10L, "{\"from\": \"a\"}")));
        Inbox.of(poolB.dataSource()).record(List.of(new Inbox.Received(2, "message", 20L, "{\"from\": \"b\"}")));
        try (Connection tx = poolA.dataSource().getConnection()) {
            Outbox.of(poolA.dataSource()).queue(tx, 10, 1L, "sendMessage", "{\"text\": \"from a\"}");
        }
        try (Connection tx = poolB.dataSource().getConnection()) {
            itemOfB = Outbox.of(poolB.dataSource()).queue(tx, 20, 2L, "sendMessage", "{\"text\": \"from b\"}");
        }
    }

    @AfterAll
    static void tearDown() {
        poolA.close();
        poolB.close();
        db.close();
    }

    @Test
    void botSelectsOnlyItsOwnUpdatesAndCalls() throws SQLException {
        assertThat(strings(a, "SELECT payload ->> 'from' FROM botvisor.updates")).containsExactly("a");
        assertThat(strings(a, "SELECT payload ->> 'text' FROM botvisor.outbox")).containsExactly("from a");
        assertThat(strings(a, "SELECT update_id FROM botvisor.updates WHERE bot_id = " + b.botId())).isEmpty();
        assertThat(strings(a, "SELECT id FROM botvisor.outbox WHERE bot_id = " + b.botId())).isEmpty();
        assertThat(Inbox.of(poolA.dataSource()).unhandled(0, 100)).extracting(Inbox.Pending::updateId)
                .containsExactly(1L);
        assertThat(Outbox.of(poolA.dataSource()).sendable(100)).extracting(Outbox.Item::chatId).containsExactly(10L);
    }

    @Test
    void botCannotInsertIntoAnotherBotsInboxOrOutbox() {
        assertThatThrownBy(() -> exec(a, "INSERT INTO botvisor.updates (bot_id, update_id, kind, payload) VALUES ("
                + b.botId() + ", 3, 'message', '{}')")).hasMessageContaining("new row violates row-level security");
        assertThatThrownBy(() -> exec(a, "INSERT INTO botvisor.outbox (bot_id, chat_id, method, payload) VALUES ("
                + b.botId() + ", 20, 'sendMessage', '{\"text\": \"spoofed\"}')"))
                .hasMessageContaining("new row violates row-level security");
    }

    @Test
    void botChangesNothingOfAnotherBot() throws SQLException {
        assertThat(exec(a, "UPDATE botvisor.updates SET handled_at = now() WHERE bot_id = " + b.botId())).isZero();
        assertThat(exec(a, "UPDATE botvisor.outbox SET state = 'failed', payload = '{}' WHERE bot_id = "
                + b.botId())).isZero();
        try (Connection tx = poolA.dataSource().getConnection()) {
            assertThatThrownBy(() -> Inbox.of(poolA.dataSource()).markHandled(tx, 2))
                    .hasMessageContaining("update 2 is not in the inbox");
        }
        assertThatThrownBy(() -> Outbox.of(poolA.dataSource()).markSending(itemOfB))
                .hasMessageContaining("outbox item " + itemOfB + " does not exist");
        assertThat(Inbox.of(poolB.dataSource()).unhandled(0, 100)).extracting(Inbox.Pending::updateId)
                .containsExactly(2L);
        assertThat(Outbox.of(poolB.dataSource()).state(itemOfB)).contains(Outbox.State.QUEUED);
        assertThat(strings(b, "SELECT payload ->> 'text' FROM botvisor.outbox")).containsExactly("from b");
    }

    @Test
    void botCannotMoveItsRowsToAnotherBotNorDeleteRows() {
        assertThatThrownBy(() -> exec(a, "UPDATE botvisor.updates SET bot_id = " + b.botId()))
                .hasMessageContaining("permission denied for table updates");
        assertThatThrownBy(() -> exec(a, "UPDATE botvisor.outbox SET bot_id = " + b.botId()))
                .hasMessageContaining("permission denied for table outbox");
        assertThatThrownBy(() -> exec(a, "DELETE FROM botvisor.updates WHERE bot_id = " + b.botId()))
                .hasMessageContaining("permission denied for table updates");
        assertThatThrownBy(() -> exec(a, "DELETE FROM botvisor.outbox")).hasMessageContaining("permission denied");
    }

    @Test
    void botCannotLockTheSharedTablesAgainstOtherBots() throws SQLException {
        assertThatThrownBy(() -> exec(a, "BEGIN; LOCK TABLE botvisor.updates IN ACCESS EXCLUSIVE MODE; COMMIT"))
                .hasMessageContaining("permission denied for table updates");
        assertThatThrownBy(() -> exec(a, "BEGIN; LOCK TABLE botvisor.outbox IN SHARE MODE; COMMIT"))
                .hasMessageContaining("permission denied for table outbox");
        // What INSERT allows, ROW EXCLUSIVE, conflicts with no other bot's reads and writes.
        assertThat(exec(a, "BEGIN; LOCK TABLE botvisor.updates IN ROW EXCLUSIVE MODE; COMMIT")).isZero();
    }

    @Test
    void botIsDeniedEveryPartitionDirectly() throws SQLException {
        List<String> partitions = strings(db.manager, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON "
                + "c.oid = i.inhrelid WHERE i.inhparent IN ('botvisor.updates'::regclass, "
                + "'botvisor.outbox'::regclass)");
        assertThat(partitions).hasSize(8);
        for (String partition : partitions) {
            assertThatThrownBy(() -> strings(a, "SELECT count(*) FROM botvisor." + partition))
                    .as(partition).hasMessageContaining("permission denied");
        }
    }

    @Test
    void botCannotRunTheMaintenanceJob() {
        assertThatThrownBy(() -> exec(a, "SELECT * FROM botvisor.maintain(1, interval '1 day', interval '1 day', "
                + "interval '1 day', interval '1 day', interval '1 day')"))
                .hasMessageContaining("permission denied for function maintain");
    }

    @Test
    void adminSeesEveryBotsUpdatesAndCalls() throws SQLException {
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            st.execute("SET ROLE botvisor_admin");
            assertThat(column(st.executeQuery("SELECT payload ->> 'from' FROM botvisor.updates ORDER BY 1")))
                    .containsExactly("a", "b");
            assertThat(column(st.executeQuery("SELECT payload ->> 'text' FROM botvisor.outbox ORDER BY 1")))
                    .containsExactly("from a", "from b");
        }
    }

    @Test
    void botQueriesScanOnePartitionOnly() throws SQLException {
        for (String table : List.of("updates", "outbox")) {
            String plan = String.join("\n", strings(a, "EXPLAIN (COSTS OFF) SELECT * FROM botvisor." + table
                    + " WHERE bot_id = " + a.botId()));
            java.util.Set<String> partitions = new java.util.TreeSet<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(table + "_h\\d\\d").matcher(plan);
            while (m.find()) {
                partitions.add(m.group());
            }
            assertThat(partitions).as(plan).hasSize(1);
        }
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

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

/** The maintenance job's row retention: finished inbox and outbox rows past their retention go, nothing else does. */
class RetentionIT {
    @TempDir
    static Path state;
    static TestDatabase db;
    static int bot;

    @BeforeAll
    static void setUp() {
        db = TestDatabase.start(state).migrated();
        bot = new BotRoles(db.manager, db.files).ensure("kept", "test").botId();
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @Test
    void oldHandledUpdatesGoAndRecentOrUnhandledOnesStay() throws SQLException {
        exec("INSERT INTO botvisor.updates (bot_id, update_id, kind, payload, received_at, handled_at) VALUES "
                + "(" + bot + ", 1, 'old handled', '{}', now() - interval '9 days', now() - interval '8 days'), "
                + "(" + bot + ", 2, 'recent handled', '{}', now() - interval '9 days', now() - interval '6 days'), "
                + "(" + bot + ", 3, 'old unhandled', '{}', now() - interval '60 days', NULL)");
        List<String> done = maintain();
        assertThat(strings("SELECT kind FROM botvisor.updates WHERE update_id IN (1, 2, 3) ORDER BY update_id"))
                .containsExactly("recent handled", "old unhandled");
        assertThat(done).contains("deleted updates 1");
    }

    @Test
    void oldSentAndFailedCallsGoAndRecentOrUnfinishedOnesStay() throws SQLException {
        StringBuilder rows = new StringBuilder();
        for (String s : List.of("sent", "failed", "queued", "sending", "uncertain")) {
            rows.append(rows.isEmpty() ? "" : ", ").append("(").append(bot).append(", 7, 'old ").append(s)
                    .append("', '{}', '").append(s).append("', now() - interval '31 days')");
        }
        rows.append(", (").append(bot).append(", 7, 'recent sent', '{}', 'sent', now() - interval '29 days')");
        exec("INSERT INTO botvisor.outbox (bot_id, chat_id, method, payload, state, queued_at) VALUES " + rows);
        List<String> done = maintain();
        assertThat(strings("SELECT method FROM botvisor.outbox WHERE chat_id = 7 ORDER BY id"))
                .containsExactly("old queued", "old sending", "old uncertain", "recent sent");
        assertThat(done).contains("deleted outbox 2");
    }

    @Test
    void theSixArgumentFormAlsoDoesWhatTheFourArgumentFormDoes() throws SQLException {
        exec("SELECT botvisor.ensure_month_partitions('messages', (now() - interval '14 months')::date, 1)");
        String old = strings("SELECT 'messages_p' || to_char(date_trunc('month', now()) - interval '14 months', "
                + "'YYYYMM')").get(0);
        assertThat(maintain()).contains("dropped " + old + " null");
        assertThat(strings("SELECT to_regclass('botvisor." + old + "') IS NULL")).containsExactly("t");
    }

    @Test
    void anInboxRetentionUnderADayIsRefused() {
        assertThatThrownBy(() -> exec("SELECT * FROM botvisor.maintain(3, interval '365 days', interval '90 days', "
                + "interval '730 days', interval '23 hours', interval '30 days')"))
                .hasMessageContaining("botvisor.expire_rows: keep_updates 23:00:00 is shorter than a day (expected "
                        + "1 day or more: the inbox recognizes an update Telegram sends again within 24 h by its row)");
    }

    @Test
    void expiringInBoundedStepsDeletesAtMostMaxRowsOfEachTablePerCall() throws SQLException {
        exec("INSERT INTO botvisor.updates (bot_id, update_id, kind, payload, handled_at) SELECT " + bot
                + ", 1000 + i, 'step', '{}', now() - interval '10 days' FROM generate_series(1, 3) i");
        assertThat(expire(2)).containsExactly("updates 2", "outbox 0");
        assertThat(expire(2)).containsExactly("updates 1", "outbox 0");
        assertThat(strings("SELECT count(*) FROM botvisor.updates WHERE kind = 'step'")).containsExactly("0");
    }

    private static List<String> expire(int maxRows) throws SQLException {
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            st.execute("SET ROLE botvisor_admin");
            return column(st.executeQuery("SELECT table_name || ' ' || row_count FROM botvisor.expire_rows("
                    + "interval '7 days', interval '30 days', " + maxRows + ")"));
        }
    }

    /** The job as the supervisor runs it, through the admin role (the owner's policies, not superuser, apply). */
    private static List<String> maintain() throws SQLException {
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            st.execute("SET ROLE botvisor_admin");
            return column(st.executeQuery("SELECT action || ' ' || object_name || ' ' || coalesce(row_count::text, "
                    + "'null') FROM botvisor.maintain(3, interval '365 days', interval '90 days', interval '730 days', "
                    + "interval '7 days', interval '30 days')"));
        }
    }

    private static void exec(String sql) throws SQLException {
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static List<String> strings(String sql) throws SQLException {
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            return column(st.executeQuery(sql));
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

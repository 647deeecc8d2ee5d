package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The changelog against a real PostgreSQL: plan, migrate, status, validate and rollback. */
class MigrationsIT {
    /** Every change, oldest first, as the changelog lists them: a new migration changes no expectation here. */
    static final List<String> ALL = Migrations.changeIds();
    @TempDir
    Path state;
    TestDatabase db;
    Migrations migrations;

    @BeforeEach
    void start() {
        db = TestDatabase.start(state);
        migrations = new Migrations(db.manager, 4);
    }

    @AfterEach
    void stop() {
        db.close();
    }

    @Test
    void planPrintsTheSqlAndAppliesNothing() throws SQLException {
        String sql = migrations.plan();
        assertThat(sql).contains("CREATE TABLE botvisor.messages").contains("FORCE ROW LEVEL SECURITY");
        assertThat(exists("botvisor.bots")).isFalse();
        assertThat(migrations.status().pending()).containsExactlyElementsOf(ALL);
    }

    @Test
    void migrateAppliesEveryChangeAndLeavesNothingPending() throws SQLException {
        assertThat(migrations.migrate()).containsExactlyElementsOf(ALL);
        assertThat(migrations.status()).isEqualTo(new Migrations.Status(ALL, List.of()));
        assertThat(migrations.migrate()).isEmpty();
        assertThat(scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'botvisor.users'::regclass"))
                .isEqualTo("4");
    }

    @Test
    void rollbackOfEveryChangeLeavesNoSchemaAndMigrateRebuildsIt() throws SQLException {
        migrations.migrate();
        assertThat(scalar("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'botvisor\\_%'")).as("fixed roles before")
                .isNotEqualTo("0");
        assertThat(migrations.rollback(ALL.size())).containsExactlyElementsOf(newestFirst(ALL));
        assertThat(exists("botvisor.bots")).isFalse();
        assertThat(scalar("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'botvisor\\_%'")).isEqualTo("0");
        assertThat(migrations.status().applied()).isEmpty();
        assertThat(migrations.migrate()).containsExactlyElementsOf(ALL);
        assertThat(exists("botvisor.bots")).isTrue();
    }

    @Test
    void rollbackOfTheNewestChangesRemovesOnlyThem() throws SQLException {
        migrations.migrate();
        // Back to before the change that makes the views; the tables, made earlier, stay.
        assertThat(ALL).contains("6-views-and-maintenance");
        List<String> newest = ALL.subList(ALL.indexOf("6-views-and-maintenance"), ALL.size());
        assertThat(exists("botvisor.bot_activity_summary")).isTrue();
        assertThat(migrations.rollback(newest.size())).containsExactlyElementsOf(newestFirst(newest));
        assertThat(exists("botvisor.bot_activity_summary")).isFalse();
        assertThat(exists("botvisor.messages")).isTrue();
        assertThat(migrations.status().pending()).containsExactlyElementsOf(newest);
    }

    @Test
    void rollbackOfTheInboxChangeDropsItsTablesAndKeepsTheFourArgumentMaintenance() throws SQLException {
        migrations.migrate();
        List<String> newest = ALL.subList(ALL.indexOf("8-inbox-and-outbox"), ALL.size());
        assertThat(exists("botvisor.updates")).isTrue();
        assertThat(scalar("SELECT count(*) FROM pg_proc WHERE proname = 'maintain'")).isEqualTo("2");
        assertThat(migrations.rollback(newest.size())).containsExactlyElementsOf(newestFirst(newest));
        for (String relation : List.of("botvisor.updates", "botvisor.outbox", "botvisor.updates_seq",
                "botvisor.outbox_id_seq", "botvisor.updates_h00")) {
            assertThat(exists(relation)).as(relation).isFalse();
        }
        assertThat(scalar("SELECT count(*) FROM pg_proc WHERE proname = 'maintain'")).isEqualTo("1");
        assertThat(scalar("SELECT count(*) FROM botvisor.maintain(3, interval '12 months', interval '3 months', "
                + "interval '24 months')")).isEqualTo("0");
        assertThat(migrations.migrate()).containsExactlyElementsOf(newest);
        assertThat(exists("botvisor.updates")).isTrue();
    }

    @Test
    void rollbackOfTheLockChangeGivesBotsTableWideUpdateAndDeleteBack() throws SQLException {
        migrations.migrate();
        String privileges = "SELECT string_agg(t || ':' || p, ',' ORDER BY t, p) FROM unnest(ARRAY['users', "
                + "'profiles', 'conversations', 'messages']) t, unnest(ARRAY['UPDATE', 'DELETE']) p "
                + "WHERE has_table_privilege('botvisor_bots', 'botvisor.' || t, p)";
        assertThat(scalar(privileges)).isNull();
        assertThat(scalar("SELECT has_column_privilege('botvisor_bots', 'botvisor.users', 'data', 'UPDATE')"))
                .isEqualTo("t");
        assertThat(migrations.rollback(2)).containsExactly("10-outbox-resent", "9-no-table-locks-for-bots");
        assertThat(scalar(privileges)).isEqualTo("conversations:DELETE,conversations:UPDATE,messages:DELETE,"
                + "messages:UPDATE,profiles:DELETE,profiles:UPDATE,users:DELETE,users:UPDATE");
        assertThat(migrations.migrate()).containsExactly("9-no-table-locks-for-bots", "10-outbox-resent");
        assertThat(scalar(privileges)).isNull();
    }

    @Test
    void rollbackOfTheResentChangeDropsTheColumnAndKeepsTheOutboxRows() throws SQLException {
        migrations.migrate();
        String column = "SELECT count(*) FROM pg_attribute WHERE attrelid = 'botvisor.outbox'::regclass "
                + "AND attname = 'resent' AND NOT attisdropped";
        assertThat(scalar(column)).isEqualTo("1");
        assertThat(scalar("SELECT has_column_privilege('botvisor_bots', 'botvisor.outbox', 'resent', 'UPDATE')"))
                .isEqualTo("t");
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO botvisor.outbox (bot_id, chat_id, method, payload, state, resent) "
                    + "VALUES (1, 5, 'sendMessage', '{}'::jsonb, 'queued', true)");
        }

        assertThat(migrations.rollback(1)).containsExactly("10-outbox-resent");

        assertThat(scalar(column)).isEqualTo("0");
        assertThat(scalar("SELECT count(*) FROM botvisor.outbox")).isEqualTo("1");
        assertThat(migrations.migrate()).containsExactly("10-outbox-resent");
        assertThat(scalar("SELECT count(*) FROM botvisor.outbox WHERE NOT resent")).isEqualTo("1");
    }

    private static List<String> newestFirst(List<String> ids) {
        List<String> out = new java.util.ArrayList<>(ids);
        java.util.Collections.reverse(out);
        return out;
    }

    @Test
    void validateNamesAnAppliedChangeThatWasEdited() throws SQLException {
        migrations.migrate();
        migrations.validate();
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            // What an edit of an applied change looks like to Liquibase: its stored checksum no longer matches.
            st.executeUpdate("UPDATE botvisor_migrations.databasechangelog SET md5sum = '9:00000000000000000000000000000000'"
                    + " WHERE id = '4-bot-tables'");
        }
        assertThatThrownBy(migrations::validate).isInstanceOf(UnableToMigrateException.class)
                .hasMessageContaining("4-bot-tables");
    }

    @Test
    void partitionCountIsKeptFromTheFirstMigration() throws SQLException {
        migrations.migrate();
        migrations.rollback(1);
        new Migrations(db.manager, 32).migrate();
        assertThat(scalar("SELECT value FROM botvisor.settings WHERE name = 'hash_partitions'")).isEqualTo("4");
        new Migrations(db.manager, 32).validate();
    }

    @Test
    void maintenanceCreatesMonthsAheadAndDropsExpiredOnes() throws SQLException {
        migrations.migrate();
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            st.execute("SELECT botvisor.ensure_month_partitions('messages', (now() - interval '14 months')::date, 1)");
        }
        assertThat(exists("botvisor.messages_p" + month(-14))).isTrue();
        String dropped = scalar("SELECT string_agg(partition_name, ',') FROM botvisor.maintain(6, interval '12 months', "
                + "interval '3 months', interval '24 months')");
        assertThat(dropped).contains("messages_p" + month(-14));
        assertThat(exists("botvisor.messages_p" + month(-14))).isFalse();
        assertThat(exists("botvisor.messages_p" + month(6))).isTrue();
        assertThat(scalar("SELECT bool_and(ok) FROM botvisor.health_check()")).isEqualTo("t");
    }

    private String month(int offset) throws SQLException {
        return scalar("SELECT to_char(date_trunc('month', now()) + interval '" + offset + " months', 'YYYYMM')");
    }

    private boolean exists(String relation) throws SQLException {
        return scalar("SELECT to_regclass('" + relation + "') IS NOT NULL").equals("t");
    }

    private String scalar(String sql) throws SQLException {
        try (Connection c = db.manager.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}

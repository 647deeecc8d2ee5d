package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;

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

/** The database audits every change to bots and profiles itself, whoever makes it. */
class AuditIT {
    @TempDir
    static Path state;
    static TestDatabase db;
    static BotCredentials bot;

    @BeforeAll
    static void setUp() {
        db = TestDatabase.start(state).migrated();
        bot = new BotRoles(db.manager, db.files).ensure("audited", "corr-register");
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @Test
    void profileChangesAreAuditedWithActorBeforeAfterAndCorrelationId() throws SQLException {
        try (Connection c = db.as(bot).connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SET LOCAL botvisor.correlation_id = 'ipc-42'");
            st.execute("INSERT INTO botvisor.profiles (bot_id, profile_id, name) VALUES (" + bot.botId()
                    + ", 'p1', 'Assistant')");
            st.execute("UPDATE botvisor.profiles SET name = 'Concierge' WHERE profile_id = 'p1'");
            c.commit();
        }
        // A bot deletes nothing (changeset 9-no-table-locks-for-bots): its operator does.
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SET LOCAL botvisor.correlation_id = 'ipc-43'");
            st.execute("DELETE FROM botvisor.profiles WHERE profile_id = 'p1'");
            c.commit();
        }
        assertThat(rows("SELECT action || ' ' || actor || ' ' || target || ' ' || coalesce(before->>'name', '-') || ' '"
                + " || coalesce(after->>'name', '-') || ' ' || coalesce(correlation_id, '-') FROM botvisor.audit_log "
                + "WHERE action LIKE 'profiles.%' ORDER BY audit_id")).containsExactly(
                "profiles.insert " + bot.role() + " p1 - Assistant ipc-42",
                "profiles.update " + bot.role() + " p1 Assistant Concierge ipc-42",
                "profiles.delete " + db.manager.user() + " p1 Concierge - ipc-43");
    }

    @Test
    void registeringABotAuditsTheRowAndTheRegistration() throws SQLException {
        assertThat(rows("SELECT action || ' ' || target || ' ' || coalesce(correlation_id, '-') FROM botvisor.audit_log "
                + "WHERE bot_id = " + bot.botId() + " AND action LIKE 'bot%' ORDER BY audit_id"))
                .containsExactly("bots.insert audited corr-register", "bot.register audited corr-register");
    }

    private static List<String> rows(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.manager.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}

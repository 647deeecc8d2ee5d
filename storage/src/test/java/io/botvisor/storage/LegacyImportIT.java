package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented example file imported into a real PostgreSQL. */
class LegacyImportIT {
    static final LegacyFile EXAMPLE = LegacyFile.read(Path.of("../docs/examples/legacy-bot.json"));
    static final Map<String, Integer> COUNTS = Map.of("users", 2, "profiles", 2, "conversations", 2, "messages", 3);
    @TempDir
    Path state;
    TestDatabase db;

    @BeforeEach
    void start() {
        db = TestDatabase.start(state).migrated();
    }

    @AfterEach
    void stop() {
        db.close();
    }

    @Test
    void importWritesEveryRowAndVerifiesThemByChecksum() throws SQLException {
        LegacyImport.Report r = LegacyImport.run(db.manager, db.files, "shop-1", EXAMPLE, false, "test");
        assertThat(r.verified()).as(r.toString()).isTrue();
        assertThat(r.inFile()).isEqualTo(COUNTS);
        assertThat(r.inDatabase()).isEqualTo(COUNTS);
        assertThat(count("messages")).isEqualTo(3);
    }

    @Test
    void secondImportOfTheSameFileChangesNothing() throws SQLException {
        LegacyImport.run(db.manager, db.files, "shop-1", EXAMPLE, false, "first");
        String before = snapshot();
        LegacyImport.Report again = LegacyImport.run(db.manager, db.files, "shop-1", EXAMPLE, false, "second");
        assertThat(again.verified()).isTrue();
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void dryRunReportsButKeepsNothing() throws SQLException {
        LegacyImport.Report r = LegacyImport.run(db.manager, db.files, "shop-1", EXAMPLE, true, "dry");
        assertThat(r.verified()).as(r.toString()).isTrue();
        assertThat(count("messages")).isZero();
        assertThat(count("bots")).isZero();
    }

    @Test
    void importedRowsAreTheBotsOwnUnderRowLevelSecurity() throws SQLException {
        LegacyImport.run(db.manager, db.files, "shop-1", EXAMPLE, false, "test");
        BotCredentials shop = new BotRoles(db.manager, db.files).ensure("shop-1", "test");
        BotCredentials other = new BotRoles(db.manager, db.files).ensure("other", "test");
        assertThat(countAs(shop, "messages")).isEqualTo(3);
        assertThat(countAs(other, "messages")).isZero();
    }

    @Test
    void fileNamingAnotherBotIsRefusedBeforeAnythingIsWritten() throws SQLException {
        assertThatThrownBy(() -> LegacyImport.run(db.manager, db.files, "shop-2", EXAMPLE, false, "test"))
                .isInstanceOf(InvalidLegacyFileException.class).hasMessageContaining("$.bot: \"shop-1\"");
        assertThat(count("bots")).isZero();
    }

    private long count(String table) throws SQLException {
        try (Connection c = db.manager.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM botvisor." + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long countAs(BotCredentials bot, String table) throws SQLException {
        try (Connection c = db.as(bot).connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM botvisor." + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String snapshot() throws SQLException {
        StringBuilder b = new StringBuilder();
        for (String t : LegacyImport.TABLES) {
            try (Connection c = db.manager.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM botvisor."
                         + t + " x")) {
                rs.next();
                b.append(t).append('=').append(rs.getString(1)).append(';');
            }
        }
        return b.toString();
    }
}

package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented example file imported into a real PostgreSQL. */
class LegacyImportIT {
    static final LegacyFile EXAMPLE = LegacyFile.read(Path.of("../docs/examples/legacy-bot.json"));
    static final LegacyFile ONE_MESSAGE = withMessageText("hello");
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

    @Test
    void botNameThatIsNotABotIdIsRefusedBeforeAnythingIsWritten() throws Exception {
        assertThatThrownBy(() -> LegacyImport.run(db.manager, db.files, "../../x", ONE_MESSAGE, false, "test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"../../x\" is not a bot id (expected 1-40 of a-z, 0-9, '-', starting with a letter or "
                        + "digit)");
        assertThat(count("bots")).isZero();
        assertThat(botRoles()).isEmpty();
        assertThat(passwordFiles()).isEmpty();
    }

    @Test
    void failedImportKeepsNoBotRowRoleOrPasswordFile() throws Exception {
        LegacyImport.run(db.manager, db.files, "shop-1", EXAMPLE, false, "proves the probes see a registration");
        List<String> rolesBefore = botRoles();
        assertThat(rolesBefore).hasSize(1);
        assertThat(passwordFiles()).containsExactly("bot-shop-1.password");

        // A NUL in a text value passes the file's checks; the database refuses it, after the bot was registered.
        LegacyFile nul = withMessageText("a\u0000b");
        assertThatThrownBy(() -> LegacyImport.run(db.manager, db.files, "shop-2", nul, false, "test"))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("import into bot 'shop-2' failed, nothing was kept: ");
        assertThat(count("bots")).isEqualTo(1);
        assertThat(botRoles()).isEqualTo(rolesBefore);
        assertThat(passwordFiles()).containsExactly("bot-shop-1.password");
    }

    @Test
    void importThatDoesNotVerifyKeepsNothing() throws SQLException {
        LegacyFile ann = new LegacyFile(null, List.of(user(1, "ann")), List.of(), List.of(), List.of());
        LegacyImport.run(db.manager, db.files, "shop-1", ann, false, "first");
        execute("UPDATE botvisor.users SET username = 'anna'");
        LegacyFile annAndBob = new LegacyFile(null, List.of(user(1, "ann"), user(2, "bob")), List.of(), List.of(),
                List.of());
        LegacyImport.Report r = LegacyImport.run(db.manager, db.files, "shop-1", annAndBob, false, "second");
        assertThat(r.verified()).isFalse();
        assertThat(r.toString()).startsWith("NOT imported into bot 'shop-1' (rolled back: nothing kept)");
        assertThat(count("users")).isEqualTo(1);
    }

    @Test
    void dryRunCreatesNoRoleNorPasswordFileAndUsesUpNoBotId() throws Exception {
        LegacyImport.Report r = LegacyImport.run(db.manager, db.files, "shop-1", EXAMPLE, true, "dry");
        assertThat(r.verified()).as(r.toString()).isTrue();
        assertThat(botRoles()).isEmpty();
        assertThat(passwordFiles()).isEmpty();
        assertThat(count("audit_log")).isZero();

        LegacyImport.run(db.manager, db.files, "shop-1", EXAMPLE, false, "real");
        assertThat(botRoles()).containsExactly("bot_1");
        assertThat(passwordFiles()).containsExactly("bot-shop-1.password");
    }

    private static LegacyFile withMessageText(String text) {
        return new LegacyFile(null, List.of(), List.of(),
                List.of(new LegacyFile.Conversation(7, null, "c", null, null)),
                List.of(new LegacyFile.Message(7, 1, Instant.parse("2024-03-01T09:15:00Z"), true, null, text)));
    }

    private static LegacyFile.User user(long id, String username) {
        return new LegacyFile.User(id, username, null, null, null, null, null);
    }

    private List<String> botRoles() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.manager.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT rolname FROM pg_roles WHERE rolname LIKE 'bot\\_%' ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The bot password files under the state dir; the superuser's is not one. */
    private List<String> passwordFiles() throws IOException {
        Path secrets = db.files.superuserPassword().getParent();
        try (Stream<Path> files = Files.walk(db.files.root())) {
            return files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(".password"))
                    .filter(f -> !f.equals(db.files.superuserPassword()) && !f.equals(db.files.adminPassword()))
                    .map(f -> secrets.relativize(f).toString()).sorted().toList();
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
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

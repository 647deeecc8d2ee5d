package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'botvisor db import-json' refuses bad input before it touches anything, and keeps nothing of an import that fails
 * or is a dry run. What the database and the state dir hold is looked at afterwards, with the CLI gone.
 */
class ImportJsonIT {
    static final String EXAMPLE = Path.of("../docs/examples/legacy-bot.json").toAbsolutePath().normalize().toString();
    @TempDir
    Path dir;
    Path fleet;

    @BeforeEach
    void fleetFile() throws Exception {
        fleet = SupervisorProcess.writeFleet(dir, SupervisorProcess.ONE_BOT_DB_FLEET);
    }

    @Test
    void botThatIsNotABotIdIsRefusedBeforeTheDatabaseOrAFileIsTouched() throws Exception {
        assertThat(db("migrate").exitCode()).isZero();
        Look before = look();
        SupervisorProcess.DbRun refused = db("import-json", "--bot", "../../x", oneMessage("hello"));
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderr().strip()).isEqualTo("botvisor db import-json: --bot \"../../x\" is not a bot id "
                + "(expected 1-40 of a-z, 0-9, '-', starting with a letter or digit)");
        assertThat(look()).isEqualTo(before);

        assertThat(db("import-json", "--bot", "shop-1", EXAMPLE).exitCode()).isZero();
        assertThat(look().registered()).as("the same look sees a registration").containsExactly("shop-1 bot_1");
    }

    @Test
    void failedImportKeepsNoBotRowRoleOrPasswordFile() throws Exception {
        assertThat(db("migrate").exitCode()).isZero();
        // A NUL passes the file's checks; the database refuses it, after the bot was registered.
        SupervisorProcess.DbRun failed = db("import-json", "--bot", "shop-2", oneMessage("a\\u0000b"));
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.stderr()).contains("import into bot 'shop-2' failed, nothing was kept: ");

        assertThat(db("import-json", "--bot", "shop-1", EXAMPLE).exitCode()).isZero();
        Look after = look();
        assertThat(after.registered()).hasSize(1).allMatch(b -> b.startsWith("shop-1 bot_"));
        assertThat(after.roles()).containsExactly(after.registered().get(0).split(" ")[1]);
        assertThat(after.passwordFiles()).containsExactly("state/db/secrets/bot-shop-1.password");
    }

    @Test
    void dryRunChangesNothing() throws Exception {
        assertThat(db("migrate").exitCode()).isZero();
        Look before = look();
        SupervisorProcess.DbRun dry = db("import-json", "--bot", "shop-1", "--dry-run", EXAMPLE);
        assertThat(dry.exitCode()).as(dry.stderr()).isZero();
        assertThat(dry.stdout()).startsWith("dry run (nothing kept) into bot 'shop-1'").contains("verified");
        assertThat(look()).isEqualTo(before);

        assertThat(db("import-json", "--bot", "shop-1", EXAMPLE).exitCode()).isZero();
        Look after = look();
        assertThat(after.registered()).as("no bot id used up by the dry run").containsExactly("shop-1 bot_1");
        assertThat(after.roles()).containsExactly("bot_1");
        assertThat(after.passwordFiles()).containsExactly("state/db/secrets/bot-shop-1.password");
        assertThat(after.rows()).isGreaterThan(before.rows());
    }

    @Test
    void fileOverTheCapIsRefusedNamingItsSizeAndTheCap() throws Exception {
        Path big = dir.resolve("big.json");
        Files.writeString(big, "{ \"format\": \"botvisor-legacy-v1\", \"users\": [] }" + " ".repeat(2000));
        SupervisorProcess.DbRun refused = db("import-json", "--bot", "shop-1", "--max-bytes", "1k", big.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderr().strip()).isEqualTo("botvisor db import-json: " + big + ": 1 problem(s), nothing "
                + "imported:\n  the file is 2047 bytes (2.0 KiB), over the cap of 1024 bytes (1.0 KiB) (split the "
                + "file, or raise the cap with --max-bytes and the heap with BOTVISOR_JAVA_OPTS=-Xmx…, about 8 times "
                + "the file)");
    }

    @Test
    void maxBytesThatIsNotASizeIsRefused() throws Exception {
        SupervisorProcess.DbRun refused = db("import-json", "--bot", "shop-1", "--max-bytes", "lots", EXAMPLE);
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderr().strip()).isEqualTo("botvisor db import-json: --max-bytes \"lots\" is not a size "
                + "(expected e.g. 512k, 64m, 1g)");
    }

    /** What the fleet's database and state dir hold: bots (name and role), bot roles, password files, rows. */
    record Look(List<String> registered, List<String> roles, List<String> passwordFiles, long rows) {
    }

    private Look look() throws Exception {
        List<String> passwordFiles;
        try (Stream<Path> files = Files.walk(dir)) {
            passwordFiles = files.filter(f -> f.getFileName().toString().endsWith(".password"))
                    .filter(f -> !f.getFileName().toString().equals("postgres.password"))
                    .map(f -> dir.relativize(f).toString()).sorted().toList();
        }
        try (EmbeddedDatabase server = EmbeddedDatabase.start(DbFiles.under(dir.resolve("state")), 20);
             Connection c = server.superuser().connect(); Statement st = c.createStatement()) {
            return new Look(strings(st, "SELECT name || ' ' || role_name FROM botvisor.bots ORDER BY 1"),
                    strings(st, "SELECT rolname FROM pg_roles WHERE rolname LIKE 'bot\\_%' ORDER BY 1"),
                    passwordFiles,
                    Long.parseLong(strings(st, "SELECT (SELECT count(*) FROM botvisor.users) + (SELECT count(*) FROM "
                            + "botvisor.profiles) + (SELECT count(*) FROM botvisor.conversations) + (SELECT count(*) "
                            + "FROM botvisor.messages) + (SELECT count(*) FROM botvisor.audit_log)").get(0)));
        }
    }

    private static List<String> strings(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** A valid legacy file of one conversation with one message; {@code text} goes into the JSON as written. */
    private String oneMessage(String text) throws Exception {
        Path file = Files.createTempFile(dir, "legacy", ".json");
        Files.writeString(file, "{ \"format\": \"botvisor-legacy-v1\", \"conversations\": [ { \"id\": 7, \"messages\": "
                + "[ { \"id\": 1, \"at\": \"2024-03-01T09:15:00Z\", \"from\": \"user\", \"text\": \"" + text + "\" } ] } ] }");
        return file.toString();
    }

    private SupervisorProcess.DbRun db(String... args) throws Exception {
        return SupervisorProcess.db(dir, fleet, args);
    }
}

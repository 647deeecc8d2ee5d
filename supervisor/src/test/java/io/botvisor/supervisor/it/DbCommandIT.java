package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'botvisor db …' without a running supervisor: each command starts the embedded server for its duration. */
class DbCommandIT {
    @TempDir
    Path dir;
    Path fleet;

    @BeforeEach
    void fleetFile() throws Exception {
        fleet = SupervisorProcess.writeFleet(dir, SupervisorProcess.ONE_BOT_DB_FLEET);
    }

    @Test
    void planMigrateStatusValidateAndRollbackWorkWithoutASupervisor() throws Exception {
        SupervisorProcess.DbRun plan = db("plan");
        assertThat(plan.exitCode()).as(plan.stderr()).isZero();
        assertThat(plan.stdout()).contains("CREATE TABLE botvisor.messages");
        assertThat(db("status").stdout()).contains("0 applied, 7 pending");

        SupervisorProcess.DbRun migrate = db("migrate");
        assertThat(migrate.exitCode()).as(migrate.stderr()).isZero();
        assertThat(migrate.stdout()).contains("applied: 1-roles, 2-settings-and-bots");
        assertThat(db("status").stdout()).contains("applied  7-audit-triggers").contains("7 applied, 0 pending");
        assertThat(db("validate").stdout()).contains("valid");

        SupervisorProcess.DbRun rollback = db("rollback", "2");
        assertThat(rollback.stdout()).contains("rolled back: 7-audit-triggers, 6-views-and-maintenance");
        assertThat(db("status").stdout()).contains("5 applied, 2 pending");
    }

    @Test
    void urlNamesTheKeptPortAndNoPassword() throws Exception {
        SupervisorProcess.DbRun url = db("url");
        assertThat(url.exitCode()).as(url.stderr()).isZero();
        String port = Files.readString(dir.resolve("state/db/port")).strip();
        assertThat(url.stdout().strip()).isEqualTo("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres");
        assertThat(url.stdout() + url.stderr())
                .doesNotContain(Files.readString(dir.resolve("state/db/secrets/postgres.password")).strip());
    }

    @Test
    void urlForAnUnregisteredBotFailsNamingIt() throws Exception {
        db("migrate");
        SupervisorProcess.DbRun url = db("url", "--bot", "ghost");
        assertThat(url.exitCode()).isEqualTo(1);
        assertThat(url.stderr()).contains("bot 'ghost' is not registered in the database");
    }

    @Test
    void importJsonImportsTheExampleOnceAndRefusesABadFileNamingThePath() throws Exception {
        db("migrate");
        String example = Path.of("../docs/examples/legacy-bot.json").toAbsolutePath().normalize().toString();
        SupervisorProcess.DbRun first = db("import-json", "--bot", "shop-1", example);
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(first.stdout()).contains("imported into bot 'shop-1'").contains("messages              3        3")
                .contains("verified");
        assertThat(db("import-json", "--bot", "shop-1", example).stdout()).contains("verified");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{ \"format\": \"botvisor-legacy-v1\", \"users\": [ { \"id\": \"x\" } ] }");
        SupervisorProcess.DbRun refused = db("import-json", "--bot", "shop-1", bad.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderr()).contains("$.users[0].id: \"x\" is not an integer id").contains("nothing imported");
    }

    @Test
    void psqlLogsInAsTheBotsRoleWithItsPasswordInAPrivateFileNeverInArgv() throws Exception {
        db("migrate");
        String example = Path.of("../docs/examples/legacy-bot.json").toAbsolutePath().normalize().toString();
        assertThat(db("import-json", "--bot", "shop-1", example).exitCode()).isZero();
        Map<String, String> env = psqlStandIn();
        String sql = "SELECT current_user || ' sees ' || (SELECT count(*) FROM botvisor.messages) || ' messages'";
        SupervisorProcess.DbRun bot = SupervisorProcess.db(dir, fleet, env, "psql", "--bot", "shop-1", "--", "-c", sql);
        assertThat(bot.exitCode()).as(bot.stderr()).isZero();
        assertThat(bot.stdout()).contains("pgpass rw-------").contains("row bot_1 sees 3 messages")
                .doesNotContain(Files.readString(dir.resolve("state/db/secrets/bot-shop-1.password")).strip());
        assertThat(bot.stdout().lines().filter(l -> l.startsWith("argv ")).findFirst().orElseThrow())
                .startsWith("argv -h 127.0.0.1 -p " + Files.readString(dir.resolve("state/db/port")).strip()
                        + " -U bot_1 -d postgres -c ");
        SupervisorProcess.DbRun admin = SupervisorProcess.db(dir, fleet, env, "psql", "--", "-c", sql);
        assertThat(admin.stdout()).contains("row postgres sees 3 messages");
        assertThat(admin.stdout()).doesNotContain(
                Files.readString(dir.resolve("state/db/secrets/postgres.password")).strip());
    }

    /**
     * A stand-in for psql (CI has no postgresql-client, and Maven Central has no psql): a script named psql, first on
     * PATH, that does what this test needs psql to do with what botvisor hands it: reads the host, port, user and
     * database from argv and the password from PGPASSFILE, logs in over JDBC, runs {@code -c}, prints the rows, and
     * reports the password file's permissions and its own argv.
     */
    private Map<String, String> psqlStandIn() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path source = dir.resolve("PsqlStandIn.java");
        Files.writeString(source, """
                import java.nio.file.*;
                import java.nio.file.attribute.PosixFilePermissions;
                import java.sql.*;
                import java.util.*;
                public class PsqlStandIn {
                    public static void main(String[] a) throws Exception {
                        Map<String, String> o = new HashMap<>();
                        for (int i = 0; i + 1 < a.length; i += 2) o.put(a[i], a[i + 1]);
                        Path pass = Path.of(System.getenv("PGPASSFILE"));
                        System.out.println("pgpass " + PosixFilePermissions.toString(Files.getPosixFilePermissions(pass)));
                        String[] f = Files.readString(pass).strip().split(":", 5);
                        if (!f[3].equals(o.get("-U"))) throw new IllegalStateException("pgpass is for " + f[3]);
                        String pw = f[4]; // generated passwords are base64url: nothing to unescape
                        String url = "jdbc:postgresql://" + o.get("-h") + ":" + o.get("-p") + "/" + o.get("-d");
                        try (Connection c = DriverManager.getConnection(url, o.get("-U"), pw);
                             ResultSet rs = c.createStatement().executeQuery(o.get("-c"))) {
                            while (rs.next()) System.out.println("row " + rs.getString(1));
                        }
                        System.out.println("argv " + String.join(" ", a));
                    }
                }
                """);
        String pgjdbc = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> Path.of(e).getFileName().toString().matches("postgresql-[0-9.]+\\.jar")).findFirst()
                .orElseThrow(() -> new AssertionError("pgjdbc is not on the test classpath"));
        Path psql = bin.resolve("psql");
        Files.writeString(psql, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -cp '" + pgjdbc + "' '" + source + "' \"$@\"\n");
        Files.setPosixFilePermissions(psql, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        return Map.of("PATH", bin + java.io.File.pathSeparator + System.getenv("PATH"));
    }

    private SupervisorProcess.DbRun db(String... args) throws Exception {
        return SupervisorProcess.db(dir, fleet, args);
    }
}

package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import io.botvisor.storage.internal.Secrets;
import io.botvisor.storage.Migrations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database the supervisor does not run: here a PostgreSQL the test starts itself (40 connection slots), named by
 * url, adminUser and passwordFile as an operator would name theirs.
 */
class ExternalDatabaseIT {
    @TempDir
    Path dir;
    EmbeddedDatabase server;
    Path passwordFile;

    @BeforeEach
    void startServer() {
        DbFiles files = DbFiles.under(dir.resolve("elsewhere"));
        server = EmbeddedDatabase.start(files, 40);
        passwordFile = files.superuserPassword();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private String fleet(String extra) {
        return "database:\n  url: " + server.superuser().url() + "\n  adminUser: postgres\n  passwordFile: "
                + passwordFile + "\n" + extra + "bots:\n  - { id: ext, type: chaos, config: { dbWriteEvery: 200ms } }\n";
    }

    @Test
    void pendingMigrationsAreRefusedNamingTheCommandToRun() throws Exception {
        Result r = runToExit(fleet("  maxConnections: 20\n"));
        assertThat(r.code()).isEqualTo(1);
        List<String> all = Migrations.changeIds();
        assertThat(r.output()).contains("database: " + all.size() + " migrations are pending (" + String.join(", ", all)
                + "); run 'botvisor db migrate --config FILE', or set database.migrateOnStart: true")
                .doesNotContain(Secrets.read(passwordFile));
    }

    @Test
    void aBudgetTheServerCannotHoldIsRefusedWithTheNumbersAndBothRemedies() throws Exception {
        Result r = runToExit(fleet("  migrateOnStart: true\n  maxConnections: 500\n"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.output()).contains("the server has max_connections 40")
                .contains("budget is maxConnections 500 plus 1 for the supervisor")
                .contains("raise the server's max_connections to at least").contains("PgBouncer in transaction mode");
    }

    @Test
    void migrateOnStartMigratesAndTheBotWritesThroughItsRole() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("  migrateOnStart: true\n  maxConnections: 20\n"))) {
            s.awaitBot("ext", "to write through its own role", b -> b.get("counters").path("dbWrites").asLong() > 2);
            List<String> all = Migrations.changeIds();
            assertThat(s.log()).contains("database: applied " + all.size() + " migrations: " + String.join(", ", all));
            assertThat(s.ctl("status").output()).startsWith("DATABASE external " + server.superuser().url() + " EXTERNAL");
        }
    }

    record Result(int code, String output) {
    }

    private Result runToExit(String yaml) throws Exception {
        Path f = dir.resolve("fleet.yaml");
        Files.writeString(f, yaml);
        Process p = SupervisorProcess.command(dir, f).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the supervisor to exit").isTrue();
        return new Result(p.exitValue(), Files.readString(dir.resolve("supervisor.out")));
    }
}

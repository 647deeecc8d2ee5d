package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
        fleet = dir.resolve("fleet.yaml");
        Files.writeString(fleet, "database: { hashPartitions: 4 }\nbots:\n  - { id: one, type: chaos }\n");
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

    private SupervisorProcess.DbRun db(String... args) throws Exception {
        return SupervisorProcess.db(dir, fleet, args);
    }
}

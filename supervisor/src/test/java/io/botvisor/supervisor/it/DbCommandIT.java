package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.botvisor.storage.DbEndpoint;
import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import io.botvisor.storage.Migrations;
import io.botvisor.storage.internal.Secrets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'botvisor db …' without a running supervisor (each command starts the embedded server for its duration), and psql
 * beside a running one.
 */
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
        // From the changelog itself, so that a new migration changes no expectation here.
        List<String> all = Migrations.changeIds();
        int n = all.size();
        assertThat(db("status").stdout()).contains("0 applied, " + n + " pending");

        SupervisorProcess.DbRun migrate = db("migrate");
        assertThat(migrate.exitCode()).as(migrate.stderr()).isZero();
        assertThat(migrate.stdout()).contains("applied: 1-roles, 2-settings-and-bots");
        assertThat(db("status").stdout()).contains("applied  " + all.get(n - 1)).contains(n + " applied, 0 pending");
        assertThat(db("validate").stdout()).contains("valid");

        SupervisorProcess.DbRun rollback = db("rollback", "2");
        assertThat(rollback.stdout()).contains("rolled back: " + all.get(n - 1) + ", " + all.get(n - 2));
        assertThat(db("status").stdout()).contains((n - 2) + " applied, 2 pending");
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
    void psqlLogsInAsTheAdminWithItsPasswordInAPrivateFileNeverInArgvAndLooksAsTheBotsRole() throws Exception {
        db("migrate");
        String example = Path.of("../docs/examples/legacy-bot.json").toAbsolutePath().normalize().toString();
        assertThat(db("import-json", "--bot", "shop-1", example).exitCode()).isZero();
        Map<String, String> env = PsqlStandIn.path(dir);
        String sql = "SELECT current_user || ' sees ' || (SELECT count(*) FROM botvisor.messages) || ' messages'";
        SupervisorProcess.DbRun bot = SupervisorProcess.db(dir, fleet, env, "psql", "--bot", "shop-1", "--", "-c", sql);
        assertThat(bot.exitCode()).as(bot.stderr()).isZero();
        assertThat(bot.stdout()).contains("pgpass rw-------").contains("row bot_1 sees 3 messages")
                .contains("pgoptions -c role=bot_1")
                .doesNotContain(Files.readString(dir.resolve("state/db/secrets/postgres.password")).strip());
        assertThat(bot.stdout().lines().filter(l -> l.startsWith("argv ")).findFirst().orElseThrow())
                .startsWith("argv -h 127.0.0.1 -p " + Files.readString(dir.resolve("state/db/port")).strip()
                        + " -U postgres -d postgres -c ");
        assertThat(bot.stderr()).contains("logged in as postgres, looking as bot 'shop-1' (role bot_1: only its rows "
                + "are visible; SET ROLE NONE returns to postgres)");
        SupervisorProcess.DbRun admin = SupervisorProcess.db(dir, fleet, env, "psql", "--", "-c", sql);
        assertThat(admin.stdout()).contains("row postgres sees 3 messages");
        assertThat(admin.stdout()).doesNotContain(
                Files.readString(dir.resolve("state/db/secrets/postgres.password")).strip());
    }

    @Test
    void psqlLooksAsARunningBotWithoutTakingItsConnectionAndSeesOnlyItsRows() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, """
                database: { hashPartitions: 4 }
                bots:
                  - { id: writer-1, type: chaos, config: { dbWriteEvery: 50ms } }
                  - { id: writer-2, type: chaos, config: { dbWriteEvery: 50ms } }
                """)) {
            s.awaitState("writer-1", "RUNNING");
            s.awaitState("writer-2", "RUNNING");
            DbEndpoint superuser = EmbeddedDatabase.running(DbFiles.under(dir.resolve("state")))
                    .orElseThrow(() -> new AssertionError("no embedded server is up"));
            s.await("both bots to have written", () -> query(superuser,
                    "SELECT count(DISTINCT bot_id) FROM botvisor.bot_metrics").equals("2"));
            String role = query(superuser, "SELECT role_name FROM botvisor.bots WHERE name = 'writer-1'");
            String botId = query(superuser, "SELECT bot_id FROM botvisor.bots WHERE name = 'writer-1'");
            // What 'psql --bot' did before: the bot's own login, refused while its pool holds its role's one connection.
            DbEndpoint asBot = superuser.as(role, Secrets.read(DbFiles.under(dir.resolve("state"))
                    .botPassword("writer-1")));
            assertThatThrownBy(asBot::connect).hasMessageContaining("too many connections for role \"" + role + "\"");

            long writesBefore = s.bot("writer-1").get("counters").path("dbWrites").asLong();
            SupervisorProcess.DbRun looked = SupervisorProcess.db(dir, dir.resolve("fleet.yaml"), PsqlStandIn.path(dir),
                    "psql", "--bot", "writer-1", "--", "-c", "SELECT current_user || ' sees ' || string_agg(DISTINCT "
                            + "bot_id::text, ',') FROM botvisor.bot_metrics");
            assertThat(looked.exitCode()).as(looked.stderr()).isZero();
            assertThat(looked.stdout()).contains("row " + role + " sees " + botId + "\n");
            s.awaitBot("writer-1", "to go on writing", b -> b.get("counters").path("dbWrites").asLong() > writesBefore);
            assertThat(s.bot("writer-1").get("state").asText()).isEqualTo("RUNNING");
            assertThat(s.bot("writer-1").get("counters").path("errors").asLong()).isZero();
        }
    }

    private static String query(DbEndpoint e, String sql) {
        try (Connection c = e.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException ex) {
            throw new AssertionError(sql + ": " + ex, ex);
        }
    }

    private SupervisorProcess.DbRun db(String... args) throws Exception {
        return SupervisorProcess.db(dir, fleet, args);
    }
}

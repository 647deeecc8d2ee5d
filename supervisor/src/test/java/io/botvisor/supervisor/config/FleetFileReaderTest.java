package io.botvisor.supervisor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FleetFileReaderTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("fleet.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private List<String> problems(String yaml) throws IOException {
        return problems(yaml, Map.of());
    }

    private List<String> problems(String yaml, Map<String, String> env) throws IOException {
        Path f = write(yaml);
        InvalidFleetFileException e = catchThrowableOfType(InvalidFleetFileException.class,
                () -> FleetFileReader.read(f, env));
        assertThat(e).as("the file is refused").isNotNull();
        return e.problems();
    }

    /** One bot a with the given keys; problems as they name it. */
    private List<String> botProblems(String keys) throws IOException {
        return problems("bots:\n  - { id: a, " + keys + " }\n");
    }

    private String bot(String problem) {
        return dir.resolve("fleet.yaml") + ": bot 'a': " + problem;
    }

    @Test
    void exampleFleetFromTheRepositoryIsAcceptedAsWritten() {
        Specs.Fleet fleet = FleetFileReader.read(Path.of("../examples/fleet.yaml"));
        assertThat(fleet.bots()).extracting(Specs.Bot::id)
                .containsExactly("sandbox", "echo-1", "persona-1", "drill-1", "drill-2");
        Specs.Bot drill1 = fleet.bot("drill-1").orElseThrow();
        assertThat(drill1.runner()).isEqualTo("chaos");
        assertThat(drill1.config()).containsEntry("crashAfter", "20s").containsEntry("exitCode", "4");
        assertThat(drill1.restart().backoff())
                .isEqualTo(new Specs.Backoff(Duration.ofMillis(500), Duration.ofSeconds(60), 2.0, 0.2));
        assertThat(drill1.jvm().heapBytes()).isEqualTo(64L << 20);
        Specs.Bot drill2 = fleet.bot("drill-2").orElseThrow();
        assertThat(drill2.memoryLimit()).isEqualTo(256L << 20);
        assertThat(drill2.jvm()).isEqualTo(new Specs.Jvm(96L << 20, List.of("-XX:+UseSerialGC")));
        Specs.Bot sandbox = fleet.bot("sandbox").orElseThrow();
        assertThat(sandbox.isCommand()).isTrue();
        assertThat(sandbox.command().get(0)).isEqualTo(Path.of("../scripts/botvisor").toAbsolutePath().normalize()
                .toString());
        Specs.Bot echo = fleet.bot("echo-1").orElseThrow();
        assertThat(echo.telegram().apiUrl()).isEqualTo("http://127.0.0.1:8081");
        assertThat(echo.env()).containsEntry("TELEGRAM_BOT_TOKEN", "100001:sandbox-echo-token");
    }

    @Test
    void everyProblemIsListedAtOnceNamingFileBotFieldValueAndExpectation() throws IOException {
        String f = dir.resolve("fleet.yaml").toString();
        List<String> problems = problems("""
                defaults:
                  health: { heartbeatTimeout: 0s }
                bots:
                  - id: Bad_Id
                    type: chaos
                  - id: ok-1
                    type: chaos
                    colour: blue
                  - id: ok-1
                    type: chaos
                  - id: both
                    command: ["/bin/true"]
                    class: com.example.Bot
                  - id: neg
                    type: chaos
                    restart: { backoff: { initial: -1s } }
                    stopTimeout: 0s
                    jvm: { heap: 64x }
                """);
        assertThat(problems).containsExactly(
                f + ": bots[0]: id \"Bad_Id\" is not valid (expected [a-z0-9][a-z0-9-]{0,39}, e.g. shop-1)",
                f + ": defaults: health.heartbeatTimeout \"0s\" is zero (expected a positive duration, e.g. 1s)",
                f + ": bot 'ok-1': unknown key 'colour' (expected one of: " + String.join(", ", Schema.BOT.keySet()) + ")",
                f + ": bots[2]: id \"ok-1\" is a duplicate (first used by bots[1])",
                f + ": bot 'both': command and class are both set (expected either a command: for any executable, "
                        + "or a class: run by bot-runner)",
                f + ": bot 'neg': restart.backoff.initial \"-1s\" is negative (expected a duration of 0 or more, e.g. 500ms)",
                f + ": bot 'neg': stopTimeout \"0s\" is zero (expected a positive duration, e.g. 1s)",
                f + ": bot 'neg': jvm.heap \"64x\" is not a size (expected e.g. 64m, 512k, 1g)");
    }

    @Test
    void unknownKeyInsideASectionIsNamedWithItsPath() throws IOException {
        assertThat(problems("bots:\n  - { id: a, type: chaos, restart: { backof: { initial: 1s } } }\n"))
                .containsExactly(dir.resolve("fleet.yaml") + ": bot 'a': unknown key 'restart.backof' (expected one of: "
                        + "policy, backoff, intensity, resetAfter)");
    }

    @Test
    void durationWithoutUnitIsRejected() throws IOException {
        assertThat(problems("bots:\n  - { id: a, type: chaos, stopTimeout: 10 }\n"))
                .containsExactly(dir.resolve("fleet.yaml") + ": bot 'a': stopTimeout 10 is not a duration "
                        + "(expected a number with a unit, e.g. 500ms, 10s, 5m)");
    }

    @Test
    void unknownRestartPolicyIsRejected() throws IOException {
        assertThat(problems("bots:\n  - { id: a, type: chaos, restart: { policy: sometimes } }\n"))
                .containsExactly(dir.resolve("fleet.yaml") + ": bot 'a': restart.policy \"sometimes\" is not a "
                        + "restart policy (expected always, on-failure or never)");
    }

    @Test
    void heartbeatTimeoutMustExceedInterval() throws IOException {
        assertThat(problems("bots:\n  - { id: a, type: chaos, health: { heartbeatInterval: 2s, heartbeatTimeout: 2s } }\n"))
                .containsExactly(dir.resolve("fleet.yaml") + ": bot 'a': health.heartbeatTimeout \"2s\" is not longer "
                        + "than health.heartbeatInterval \"2s\" (expected timeout > interval)");
    }

    @Test
    void aRelativeProgramPathIsResolvedBesideTheFleetFileAndABareNameIsLeftToPath() throws IOException {
        Specs.Fleet fleet = FleetFileReader.read(write("bots:\n"
                + "  - { id: a, command: [\"../bin/sandbox\", \"--port\", \"1\"] }\n"
                + "  - { id: b, command: [sleep, \"9\"] }\n"));
        assertThat(fleet.bots().get(0).command()).containsExactly(
                dir.getParent().resolve("bin/sandbox").toString(), "--port", "1");
        assertThat(fleet.bots().get(1).command()).containsExactly("sleep", "9");
    }

    @Test
    void tinyInitialBackoffIsAccepted() throws IOException {
        Specs.Fleet fleet = FleetFileReader.read(write(
                "bots:\n  - { id: a, type: chaos, restart: { backoff: { initial: 1ms } } }\n"));
        assertThat(fleet.bots().get(0).restart().backoff().initial()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void duplicateYamlKeyIsRejected() throws IOException {
        assertThat(problems("bots:\n  - id: a\n    type: chaos\n    type: chaos\n").get(0))
                .contains("not valid YAML").contains("Duplicate field 'type'");
    }

    @Test
    void secretsFileValuesReachTheEnvironmentButNeverAnErrorMessage() throws IOException {
        Files.writeString(dir.resolve("secrets.env"), "# token\nTOKEN=s3cr3t-value\nnot a pair s3cr3t-value\n");
        List<String> problems = problems("bots:\n  - { id: a, type: chaos, secretsFile: secrets.env }\n");
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).contains("line 3 is not KEY=VALUE").doesNotContain("s3cr3t");
        Files.writeString(dir.resolve("secrets.env"), "TOKEN=s3cr3t-value\n");
        Specs.Fleet fleet = FleetFileReader.read(dir.resolve("fleet.yaml"));
        assertThat(fleet.bots().get(0).env()).containsEntry("TOKEN", "s3cr3t-value");
    }

    @Test
    void logTimestampsAreOnByDefaultAndOffWhereTheBotOrTheDefaultsSaySo() throws IOException {
        Specs.Fleet fleet = FleetFileReader.read(write("""
                defaults: { logs: { timestamps: false } }
                bots:
                  - { id: a, type: chaos }
                  - { id: b, type: chaos, logs: { timestamps: true } }
                """));
        assertThat(fleet.bot("a").orElseThrow().logs().timestamps()).isFalse();
        assertThat(fleet.bot("b").orElseThrow().logs().timestamps()).isTrue();
        assertThat(FleetFileReader.read(write("bots:\n  - { id: a, type: chaos }\n")).bots().get(0).logs())
                .isEqualTo(new Specs.Logs(10L << 20, 5, true));
    }

    @Test
    void logTimestampsThatAreNotABooleanAreRejectedWhereTheyAreWritten() throws IOException {
        assertThat(botProblems("type: chaos, logs: { timestamps: \"off\" }")).containsExactly(bot(
                "logs.timestamps \"off\" is not true or false (expected e.g. false, for a bot that stamps its own lines)"));
        assertThat(problems("defaults: { logs: { timestamps: 0 } }\nbots:\n  - { id: a, type: chaos }\n"))
                .containsExactly(dir.resolve("fleet.yaml") + ": defaults: logs.timestamps 0 is not true or false "
                        + "(expected e.g. false, for a bot that stamps its own lines)");
    }

    @Test
    void botWithoutTypeClassOrCommandIsRejected() throws IOException {
        assertThat(problems("bots:\n  - { id: a }\n")).containsExactly(dir.resolve("fleet.yaml")
                + ": bot 'a': none of type, class or command is set (expected one of them)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`type: chaos, jvm: { heap: 17179869185g }` | jvm.heap \"17179869185g\" is too large (expected at most 8589934591g)",
            "`type: chaos, memoryLimit: -1m`           | memoryLimit \"-1m\" is negative (expected e.g. 64m)",
            "`type: chaos, logs: { maxFileSize: 0m }`  | logs.maxFileSize \"0m\" is not a positive size (expected e.g. 64m)",
            "`type: chaos, stopTimeout: 999999999999999d` | stopTimeout \"999999999999999d\" is out of range (expected a duration of at most 36500d, 100 years)",
            "`type: chaos, logs: { maxFiles: 18446744073709551617 }` | logs.maxFiles 18446744073709551617 is not valid (expected a whole number from 1 to 1000)",
            "`type: chaos, logs: { maxFiles: 4294967297 }` | logs.maxFiles 4294967297 is not valid (expected a whole number from 1 to 1000)",
            "`type: chaos, jvm: { heap: 1k }`          | jvm.heap \"1k\" is below the minimum of 16m (expected e.g. 64m; the JVM itself refuses less than 2m)",
            "`type: chaos, jvm: { heap: 16383k }`      | jvm.heap \"16383k\" is below the minimum of 16m (expected e.g. 64m; the JVM itself refuses less than 2m)",
            "`type: chaos, jvm: { heap: 512 }`         | jvm.heap 512 is not a size (expected e.g. 64m, 512k, 1g)"})
    void sizesDurationsAndNumbersOutOfRangeAreRejectedNotWrapped(String keys, String problem) throws IOException {
        assertThat(botProblems(keys)).containsExactly(bot(problem));
    }

    @ParameterizedTest
    @CsvSource({"4294967297", "18446744073709551617", "0", "1001"})
    void startConcurrencyOutsideOneToAThousandIsRejectedNotWrapped(String value) throws IOException {
        assertThat(problems("supervisor: { startConcurrency: " + value + " }\nbots:\n  - { id: a, type: chaos }\n"))
                .containsExactly(dir.resolve("fleet.yaml") + ": supervisor: startConcurrency " + value
                        + " is not valid (expected a whole number from 1 to 1000; default: the number of cores)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "isolation: separate | isolation \"separate\" is not valid (expected auto, users or none)",
            "botUids: 60000-70000 | botUids \"60000-70000\" overlaps systemd's dynamic users 61184-65519 (expected a range outside it; default 1900000000-1900065535)",
            "botUids: 5000 | botUids 5000 is not a range (expected FIRST-LAST, e.g. \"1900000000-1900065535\")",
            "botUids: 9-20 | botUids \"9-20\" is out of bounds (expected 1000 ≤ FIRST ≤ LAST ≤ 2147483646)",
            "botUids: 3000000000-3000000001 | botUids \"3000000000-3000000001\" is out of bounds (expected 1000 ≤ FIRST ≤ LAST ≤ 2147483646)"})
    void isolationSettingsOutOfBoundsAreRejected(String setting, String problem) throws IOException {
        assertThat(problems("supervisor: { " + setting + " }\nbots:\n  - { id: a, type: chaos }\n"))
                .containsExactly(dir.resolve("fleet.yaml") + ": supervisor: " + problem);
    }

    @Test
    void isolationDefaultsToAutoWithAUidRangeAboveSystemdsAndLimitsPerBot() throws IOException {
        Specs.Fleet fleet = FleetFileReader.read(write("bots:\n  - { id: a, type: chaos }\n"
                + "  - { id: b, type: chaos, limits: { processes: 64 } }\n"));
        assertThat(fleet.isolation()).isEqualTo(new Specs.Isolation(Specs.Isolation.Mode.AUTO, 1_900_000_000L,
                1_900_065_535L));
        assertThat(fleet.bots().get(0).limits()).isEqualTo(new Specs.Limits(1024, 4096));
        assertThat(fleet.bots().get(1).limits()).isEqualTo(new Specs.Limits(64, 4096));
    }

    @Test
    void processLimitTooSmallForAJvmIsRejected() throws IOException {
        assertThat(botProblems("type: chaos, limits: { processes: 16 }")).containsExactly(
                bot("limits.processes 16 is not valid (expected a whole number from 64 to 1000000)"));
    }

    @Test
    void smallestHeapAndLargestStartConcurrencyAreAccepted() throws IOException {
        Specs.Fleet fleet = FleetFileReader.read(write("supervisor: { startConcurrency: 1000 }\n"
                + "bots:\n  - { id: a, type: chaos, jvm: { heap: 16m } }\n"));
        assertThat(fleet.startConcurrency()).isEqualTo(1000);
        assertThat(fleet.bots().get(0).jvm().heapBytes()).isEqualTo(16L << 20);
    }

    @ParameterizedTest
    @CsvSource({"64m", "32m"})
    void memoryLimitNotAboveTheHeapIsRejectedNamingBoth(String limit) throws IOException {
        assertThat(botProblems("type: chaos, jvm: { heap: 64m }, memoryLimit: " + limit)).containsExactly(bot(
                "memoryLimit \"" + limit + "\" is not above jvm.heap \"64m\" (expected more than the heap: a JVM "
                        + "uses memory besides its heap, e.g. heap 64m with memoryLimit 256m)"));
    }

    @Test
    void memoryLimitBelowTheDefaultHeapIsAcceptedForACommandBot() throws IOException {
        Specs.Fleet fleet = FleetFileReader.read(write(
                "bots:\n  - { id: a, command: [\"/bin/true\"], memoryLimit: 32m }\n"));
        assertThat(fleet.bots().get(0).memoryLimit()).isEqualTo(32L << 20);
    }

    @Test
    void misspelledBuiltInTypeIsRejectedWithTheClosestName() throws IOException {
        assertThat(botProblems("type: chaso")).containsExactly(bot("type \"chaso\" is not a built-in bot type "
                + "(expected one of: attack, chaos, echo, persona; or a class name such as com.example.ShopBot); "
                + "did you mean 'chaos'?"));
    }

    @ParameterizedTest
    @CsvSource({"shop", "com..ShopBot", "com.example.Shop-Bot", "com.example.", "1com.example.ShopBot"})
    void typeThatIsNeitherBuiltInNorAClassNameIsRejected(String type) throws IOException {
        assertThat(botProblems("type: \"" + type + "\"")).containsExactly(bot("type \"" + type + "\" is not a "
                + "built-in bot type (expected one of: attack, chaos, echo, persona; or a class name such as com.example.ShopBot)"));
    }

    @ParameterizedTest
    @CsvSource({"com.example.ShopBot", "shop.Bot$Inner", "a.b"})
    void typeThatLooksLikeAClassNameIsAccepted(String type) throws IOException {
        Specs.Fleet fleet = FleetFileReader.read(write("bots:\n  - { id: a, type: \"" + type + "\" }\n"));
        assertThat(fleet.bots().get(0).runner()).isEqualTo(type);
    }

    @Test
    void classThatIsNotAJavaClassNameIsRejected() throws IOException {
        assertThat(botProblems("class: com.example.Shop Bot")).containsExactly(bot("class \"com.example.Shop Bot\" "
                + "is not a Java class name (expected e.g. com.example.ShopBot)"));
    }

    @Test
    void unknownChaosConfigKeyIsRejectedWithTheClosestKey() throws IOException {
        assertThat(botProblems("type: chaos, config: { crashafter: 20s }")).containsExactly(bot("unknown config key "
                + "'crashafter' for type chaos (expected some of: crashAfter, dbHold, dbWriteEvery, dbWriteFor, "
                + "dbWriters, exitCode, grandchild, hangAfter, ignoreStop, leakPerSecond, logEvery, startupDelay, "
                + "unhealthyAfter); did you mean 'crashAfter'?"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "crashAfter: 20        | config.crashAfter \"20\" is not a duration (expected e.g. 500ms, 10s, 5m, 1h, 30d)",
            "hangAfter: -1s        | config.hangAfter \"-1s\" is negative (expected a duration of 0 or more, e.g. 20s)",
            "exitCode: 300         | config.exitCode \"300\" is not valid (expected a whole number from 0 to 255)",
            "dbWriters: 0          | config.dbWriters \"0\" is not valid (expected a whole number from 1 to 64)",
            "leakPerSecond: 1x     | config.leakPerSecond \"1x\" is not a size (expected e.g. 64m, 512k, 1g)",
            "ignoreStop: maybe     | config.ignoreStop \"maybe\" is not true or false"})
    void chaosConfigValueOfTheWrongFormIsRejected(String config, String problem) throws IOException {
        assertThat(botProblems("type: chaos, config: { " + config + " }")).containsExactly(bot(problem));
    }

    @Test
    void attackBotWithoutAPeerIsRejected() throws IOException {
        assertThat(botProblems("type: attack")).containsExactly(bot("config.peer is missing (type attack requires it: "
                + "a bot id, e.g. shop-1)"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "peer: Shop_1            | config.peer \"Shop_1\" is not a bot id (expected [a-z0-9][a-z0-9-]{0,39}, "
                    + "e.g. shop-1)",
            "peer: b, forkBomb: 2000 | config.forkBomb \"2000\" is not valid (expected a whole number from 0 to 1024)",
            "peer: b, forkbomb: 3    | unknown config key 'forkbomb' for type attack (expected some of: forkBomb, "
                    + "peer); did you mean 'forkBomb'?"})
    void attackConfigValueOfTheWrongFormIsRejected(String config, String problem) throws IOException {
        assertThat(botProblems("type: attack, config: { " + config + " }")).containsExactly(bot(problem));
    }

    @Test
    void configOfAClassBotIsTheBotsOwnBusiness() throws IOException {
        Specs.Fleet fleet = FleetFileReader.read(write(
                "bots:\n  - { id: a, type: com.example.ShopBot, config: { crashafter: whatever } }\n"));
        assertThat(fleet.bots().get(0).config()).containsEntry("crashafter", "whatever");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://h/db?password=s3cr3t    | jdbc:postgresql://h/db?password=***",
            "jdbc:postgresql://h/db?user=admin         | jdbc:postgresql://h/db?user=***",
            "jdbc:postgresql://admin:s3cr3t@h/db       | jdbc:postgresql://***@h/db"})
    void databaseUrlWithCredentialsIsRefusedWithoutRepeatingThem(String url, String shown) throws IOException {
        Files.writeString(dir.resolve("db.password"), "pw\n");
        assertThat(problems("database: { url: \"" + url + "\", adminUser: botvisor, passwordFile: db.password }\n"
                + "bots:\n  - { id: a, type: chaos }\n")).containsExactly(dir.resolve("fleet.yaml") + ": database: url \""
                + shown + "\" holds credentials (expected none in the URL: the role goes in database.adminUser or "
                + "BOTVISOR_DB_ADMIN_USER, the password in a file named by database.passwordFile or "
                + "BOTVISOR_DB_PASSWORD_FILE)");
    }

    @Test
    void databaseUrlWithCredentialsFromTheEnvironmentIsRefusedNamingTheVariable() throws IOException {
        List<String> problems = problems("bots:\n  - { id: a, type: chaos }\n", Map.of(
                "BOTVISOR_DB_URL", "postgres://admin:s3cr3t@h/db", "BOTVISOR_DB_ADMIN_USER", "botvisor",
                "BOTVISOR_DB_PASSWORD", "pw"));
        String f = dir.resolve("fleet.yaml").toString();
        assertThat(problems).containsExactly(
                f + ": database: url (from BOTVISOR_DB_URL) \"postgres://***@h/db\" is not a PostgreSQL JDBC URL "
                        + "(expected jdbc:postgresql://HOST:PORT/DATABASE)",
                f + ": database: url (from BOTVISOR_DB_URL) \"postgres://***@h/db\" holds credentials (expected none "
                        + "in the URL: the role goes in database.adminUser or BOTVISOR_DB_ADMIN_USER, the password in a "
                        + "file named by database.passwordFile or BOTVISOR_DB_PASSWORD_FILE)");
        assertThat(String.join("\n", problems)).doesNotContain("s3cr3t");
    }

    @Test
    void databaseUrlWithoutCredentialsIsAccepted() throws IOException {
        Files.writeString(dir.resolve("db.password"), "pw\n");
        Specs.Fleet fleet = FleetFileReader.read(write("database: { url: \"jdbc:postgresql://h:5432/db?sslmode=require"
                + "\", adminUser: botvisor, passwordFile: db.password }\nbots:\n  - { id: a, type: chaos }\n"));
        assertThat(fleet.database().url()).isEqualTo("jdbc:postgresql://h:5432/db?sslmode=require");
    }

    @Test
    void inboxAndOutboxRetentionDefaultToAWeekAndAMonth() throws IOException {
        Specs.Fleet fleet = FleetFileReader.read(write("bots:\n  - { id: a, type: chaos }\n"));
        assertThat(fleet.database().retention()).extracting(Specs.Retention::updates, Specs.Retention::outbox)
                .containsExactly(Duration.ofDays(7), Duration.ofDays(30));
        fleet = FleetFileReader.read(write("database: { retention: { updates: 2d, outbox: 90d } }\n"
                + "bots:\n  - { id: a, type: chaos }\n"));
        assertThat(fleet.database().retention()).extracting(Specs.Retention::updates, Specs.Retention::outbox)
                .containsExactly(Duration.ofDays(2), Duration.ofDays(90));
    }

    @Test
    void inboxRetentionUnderADayIsRefused() throws IOException {
        assertThat(problems("database: { retention: { updates: 12h } }\nbots:\n  - { id: a, type: chaos }\n"))
                .containsExactly(dir.resolve("fleet.yaml") + ": database: retention.updates \"12h\" is shorter than a "
                        + "day (expected 1d or more: the inbox is what recognizes an update Telegram sends again "
                        + "within 24 h)");
    }
}

package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.supervisor.control.ControlClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ctl loglevel} and {@code ctl dump} against a real supervisor and real children. */
class BotCommandsIT {
    private static final String FAST = "database: { enabled: false }\n" + SupervisorProcess.FAST_DEFAULTS;

    @TempDir
    Path dir;

    private static String stderr(SupervisorProcess s, String bot) {
        try {
            return java.nio.file.Files.readString(s.stateDir.resolve("logs").resolve(bot).resolve("stderr.log"));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void ctlLoglevelMakesABotLogDebugLinesItDidNotLogBefore() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - { id: talker, type: chaos, config: { logEvery: 50ms } }
                """)) {
            s.awaitState("talker", "RUNNING");
            s.await("info lines in talker's stderr.log", () -> stderr(s, "talker").contains("chaos: info line 3"),
                    () -> stderr(s, "talker"));
            assertThat(stderr(s, "talker")).doesNotContain("chaos: debug line");

            ControlClient.Result r = s.ctl("loglevel", "talker", "io.botvisor.runner.drill", "DEBUG");

            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).isEqualTo("talker: logger 'io.botvisor.runner.drill' set to DEBUG (was INFO, "
                    + "inherited)");
            s.await("debug lines in talker's stderr.log", () -> stderr(s, "talker").contains("chaos: debug line"),
                    () -> stderr(s, "talker"));
        }
    }

    @Test
    void ctlLoglevelRefusesAnUnknownLevelBeforeAskingTheBot() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + "bots:\n  - { id: quiet, type: chaos }\n")) {
            ControlClient.Result r = s.ctl("loglevel", "quiet", "LOUD");

            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.output()).isEqualTo("loglevel: level \"LOUD\" is unknown (expected one of TRACE, DEBUG, INFO, "
                    + "WARN, ERROR, OFF)");
        }
    }

    @Test
    void ctlDumpPrintsAThreadDumpWithTheBotsMainAndWorkThreads() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + "bots:\n  - { id: dumpee, type: chaos }\n")) {
            s.awaitState("dumpee", "RUNNING");

            SupervisorProcess.CtlRun r = s.ctlCli("dump", "dumpee");

            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout()).startsWith("Thread dump of bot 'dumpee' (pid ")
                    .contains("\n\"main\" #1 prio=5 WAITING\n")
                    .contains("\n\"bot-dumpee\" #")
                    .endsWith("\n\n(also written to " + s.stateDir.resolve("logs/dumpee/stdout.log") + ")\n");
            // Each line of stdout.log carries the supervisor's arrival stamp (logs.timestamps, on by default).
            assertThat(s.botStdout("dumpee")).containsPattern("=== botvisor: thread dump, request 1 ===\n\\S+ Thread "
                    + "dump of bot 'dumpee'");
        }
    }

    @Test
    void commandBotIsRefusedWithExitTwoAndAStoppedBotWithItsState() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - { id: plain, command: ["sleep", "60"] }
                  - { id: resting, type: chaos, restart: { policy: never } }
                """)) {
            s.awaitState("resting", "RUNNING");
            assertThat(s.ctl("stop", "resting").exitCode()).isZero();

            ControlClient.Result plain = s.ctl("dump", "plain");
            ControlClient.Result resting = s.ctl("loglevel", "resting", "DEBUG");

            assertThat(plain.exitCode()).isEqualTo(2);
            assertThat(plain.output()).isEqualTo("bot 'plain' is not a bot-runner bot (a command: bot takes no "
                    + "commands over IPC)");
            assertThat(resting.exitCode()).isEqualTo(1);
            assertThat(resting.output()).isEqualTo("bot 'resting' is STOPPED, not RUNNING");
        }
    }
}

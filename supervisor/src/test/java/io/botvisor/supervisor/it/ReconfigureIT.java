package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.supervisor.core.BotStatus;
import io.botvisor.supervisor.core.ChildCommands;
import io.botvisor.supervisor.core.ChildState;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RELOAD_CONFIG through the supervisor's API ({@link ChildCommands#reconfigure}), with real children. */
class ReconfigureIT {
    private static final String FLEET = "database: { enabled: false }\nsupervisor: { isolation: none }\n"
            + SupervisorProcess.FAST_DEFAULTS;

    @TempDir
    Path dir;

    @Test
    void chaosAppliesANewConfigInTheSameProcessAndChangesWhatItDoes() throws Exception {
        try (LiveSupervisor s = LiveSupervisor.start(dir, FLEET + "bots:\n  - { id: live, type: chaos }\n")) {
            BotStatus before = s.awaitStatus("live", "RUNNING", b -> b.state() == ChildState.RUNNING);
            s.awaitBotLog("live", "stdout.log", "chaos: started with {}");
            assertThat(s.botLog("live", "stderr.log")).doesNotContain("chaos: info line");

            ChildCommands.Answer a = s.ask(c -> c.reconfigure("live", Map.of("logEvery", "50ms")));

            assertThat(a).isEqualTo(new ChildCommands.Answer(ChildCommands.Outcome.DONE, "applied"));
            s.awaitBotLog("live", "stderr.log", "chaos: info line 2");
            BotStatus after = s.status("live");
            assertThat(after.state()).isEqualTo(ChildState.RUNNING);
            assertThat(after.pid()).isEqualTo(before.pid());
            assertThat(after.restarts()).isZero();
            // One incarnation: it started once, and was reconfigured, not relaunched.
            assertThat(s.botLog("live", "stdout.log").split("chaos: started with", -1)).hasSize(2);
        }
    }

    @Test
    void botWhoseReconfigureReturnsFalseAnswersNotAppliedAndRunsOn() throws Exception {
        Path testBots = Path.of("..", "bot-runner", "target", "test-classes").toAbsolutePath().normalize();
        assertThat(testBots.resolve("io/botvisor/runner/testbots/IdleBot.class")).isRegularFile();
        try (LiveSupervisor s = LiveSupervisor.start(dir, FLEET + "bots:\n  - { id: idle, class: "
                + "io.botvisor.runner.testbots.IdleBot, classpath: [\"" + testBots + "\"] }\n")) {
            BotStatus before = s.awaitStatus("idle", "RUNNING", b -> b.state() == ChildState.RUNNING);

            ChildCommands.Answer a = s.ask(c -> c.reconfigure("idle", Map.of("greeting", "hello")));

            assertThat(a).isEqualTo(new ChildCommands.Answer(ChildCommands.Outcome.NOT_APPLIED,
                    "the bot cannot apply it without a restart"));
            BotStatus after = s.status("idle");
            assertThat(after.state()).isEqualTo(ChildState.RUNNING);
            assertThat(after.pid()).isEqualTo(before.pid());
        }
    }

    @Test
    void commandBotIsNotAskedAndAStoppedBotIsNamedWithItsState() throws Exception {
        try (LiveSupervisor s = LiveSupervisor.start(dir, FLEET + """
                bots:
                  - { id: plain, command: ["sleep", "60"] }
                  - { id: resting, type: chaos, restart: { policy: never } }
                """)) {
            s.awaitStatus("resting", "RUNNING", b -> b.state() == ChildState.RUNNING);
            s.onLoop(sup -> {
                sup.stopBot("resting", "test");
                return null;
            });
            s.awaitStatus("resting", "STOPPED", b -> b.state() == ChildState.STOPPED);

            assertThat(s.ask(c -> c.reconfigure("plain", Map.of()))).isEqualTo(new ChildCommands.Answer(
                    ChildCommands.Outcome.NOT_A_RUNNER_BOT,
                    "bot 'plain' is not a bot-runner bot (a command: bot takes no commands over IPC)"));
            assertThat(s.ask(c -> c.reconfigure("resting", Map.of()))).isEqualTo(new ChildCommands.Answer(
                    ChildCommands.Outcome.NOT_RUNNING, "bot 'resting' is STOPPED, not RUNNING"));
        }
    }
}

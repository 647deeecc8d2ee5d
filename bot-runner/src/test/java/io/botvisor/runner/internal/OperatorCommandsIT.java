package io.botvisor.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.Message;
import io.botvisor.runner.testbots.IdleBot;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's commands to a real bot-runner child JVM, the test playing its supervisor. */
class OperatorCommandsIT {
    private static final long GEN = RunnerChild.GEN;

    @TempDir
    Path dir;

    private static long expiry() {
        return System.currentTimeMillis() + RunnerChild.DEADLINE.toMillis();
    }

    private static RunnerChild ready(RunnerChild child) {
        child.await(Message.Ready.class, r -> true, "READY");
        return child;
    }

    @Test
    void logLevelMakesDebugLinesAppearThatWereNotLoggedBefore() throws Exception {
        try (RunnerChild child = ready(RunnerChild.start(dir, "chaos", Map.of("logEvery", "50ms")))) {
            child.awaitStderr("chaos: info line 3");
            assertThat(child.stderr()).doesNotContain("chaos: debug line");

            child.send(new Message.LogLevel(GEN, 1, "io.botvisor.runner.drill", "debug", expiry(), 0));

            Message.CommandReply r = child.awaitReply(1);
            assertThat(r.outcome()).isEqualTo(Message.CommandReply.OK);
            assertThat(r.detail()).isEqualTo("logger 'io.botvisor.runner.drill' set to DEBUG (was INFO, inherited)");
            child.awaitStderr("chaos: debug line");
        }
    }

    @Test
    void unknownLevelIsRefusedWithTheLevelsThereAre() throws Exception {
        try (RunnerChild child = ready(RunnerChild.start(dir, "chaos", Map.of()))) {
            child.send(new Message.LogLevel(GEN, 2, "ROOT", "LOUD", expiry(), 0));

            Message.CommandReply r = child.awaitReply(2);
            assertThat(r.outcome()).isEqualTo(Message.CommandReply.FAILED);
            assertThat(r.detail()).isEqualTo("level \"LOUD\" is unknown (expected one of TRACE, DEBUG, INFO, WARN, "
                    + "ERROR, OFF)");
        }
    }

    @Test
    void threadDumpIsWrittenToStdoutAndSentBackWithTheMainAndWorkThreads() throws Exception {
        try (RunnerChild child = ready(RunnerChild.start(dir, "chaos", Map.of()))) {
            child.send(new Message.ThreadDump(GEN, 3, expiry(), 0));

            Message.CommandReply r = child.awaitReply(3);
            assertThat(r.outcome()).isEqualTo(Message.CommandReply.OK);
            assertThat(r.detail()).startsWith("Thread dump of bot 'child-1' (pid ")
                    .contains("\"main\" #1 prio=5 WAITING")
                    .containsPattern("\\n    at \\S*io\\.botvisor\\.runner\\.internal\\.ChildRuntime\\.awaitStopped\\(")
                    .contains("\"bot-child-1\" #");
            assertThat(child.stdout()).contains("=== botvisor: thread dump, request 3 ===\n" + r.detail()
                    + "=== botvisor: end of thread dump, request 3 ===\n");
        }
    }

    @Test
    void chaosAppliesANewLogEveryWithoutARestart() throws Exception {
        try (RunnerChild child = ready(RunnerChild.start(dir, "chaos", Map.of()))) {
            child.send(new Message.ReloadConfig(GEN, 4, Map.of("logEvery", "50ms"), expiry(), 0));

            Message.CommandReply r = child.awaitReply(4);
            assertThat(r.outcome()).isEqualTo(Message.CommandReply.APPLIED);
            child.awaitStderr("chaos: info line 1");
            assertThat(child.stdout()).contains("chaos: reconfigured with {logEvery=50ms}");
        }
    }

    @Test
    void chaosAnswersNotAppliedForAKeyThatNeedsARestart() throws Exception {
        try (RunnerChild child = ready(RunnerChild.start(dir, "chaos", Map.of("exitCode", "3")))) {
            child.send(new Message.ReloadConfig(GEN, 5, Map.of("exitCode", "4", "logEvery", "50ms"), expiry(), 0));

            assertThat(child.awaitReply(5).outcome()).isEqualTo(Message.CommandReply.NOT_APPLIED);
            assertThat(child.stdout()).contains("chaos: a change of [exitCode] needs a restart");
            assertThat(child.stderr()).doesNotContain("chaos: info line");
        }
    }

    @Test
    void botThatKeepsTheDefaultReconfigureAnswersNotApplied() throws Exception {
        try (RunnerChild child = ready(RunnerChild.start(dir, IdleBot.class.getName(), Map.of()))) {
            child.send(new Message.ReloadConfig(GEN, 6, Map.of("greeting", "hello"), expiry(), 0));

            Message.CommandReply r = child.awaitReply(6);
            assertThat(r.outcome()).isEqualTo(Message.CommandReply.NOT_APPLIED);
            assertThat(r.detail()).isEqualTo("the bot cannot apply it without a restart");
        }
    }

    @Test
    void reconfigureThatThrowsIsAnsweredFailedWithItsMessage() throws Exception {
        try (RunnerChild child = ready(RunnerChild.start(dir, "chaos", Map.of()))) {
            child.send(new Message.ReloadConfig(GEN, 7, Map.of("logEvery", "5x"), expiry(), 0));

            Message.CommandReply r = child.awaitReply(7);
            assertThat(r.outcome()).isEqualTo(Message.CommandReply.FAILED);
            assertThat(r.detail()).isEqualTo("config.logEvery \"5x\" is not a duration (expected e.g. 500ms, 10s, 5m, "
                    + "1h, 30d)");
        }
    }
}

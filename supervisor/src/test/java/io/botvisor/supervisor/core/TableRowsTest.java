package io.botvisor.supervisor.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.ChildExit;
import io.botvisor.ipc.Message;
import io.botvisor.supervisor.config.RestartPolicy;
import io.botvisor.supervisor.core.Event.Command;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table's rows other than control commands, one behaviour each, on a fake clock. */
class TableRowsTest {

    @Test
    void startOfAStoppingBotStartsItAgainOnceTheOldProcessExits() {
        Drive bot = Drive.runner().in(ChildState.STOPPING);
        bot.on(new Event.Control(Command.START, "ctl start"));
        Table.Step exit = bot.on(new Event.Exited(bot.gen(), 0));
        assertThat(exit.slot().state()).isEqualTo(ChildState.STOPPED);
        assertThat(Drive.summary(exit)).containsExactly("ChildGone", "JoinGate");
        Table.Step open = bot.on(new Event.GateOpened(bot.nextGen()));
        assertThat(open.slot().state()).isEqualTo(ChildState.STARTING);
        assertThat(Drive.summary(open)).contains("Launch");
    }

    @Test
    void restartOfAStoppingBotReplacesTheStop() {
        Drive bot = Drive.runner().in(ChildState.STOPPING);
        bot.on(new Event.Control(Command.RESTART, "ctl restart"));
        Table.Step exit = bot.on(new Event.Exited(bot.gen(), 0));
        assertThat(exit.slot().queued()).isTrue();
        assertThat(exit.slot().restartsInWindow(0)).as("an operator's restart is not a failure").isZero();
    }

    @Test
    void stopOfARestartingBotLeavesItStopped() {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        bot.on(new Event.Control(Command.RESTART, "ctl restart"));
        bot.on(new Event.Control(Command.STOP, "ctl stop"));
        Table.Step exit = bot.on(new Event.Exited(bot.gen(), 0));
        assertThat(exit.slot().state()).isEqualTo(ChildState.STOPPED);
        assertThat(exit.slot().queued()).isFalse();
        assertThat(exit.slot().lastExit().reason()).isEqualTo("ctl restart");
    }

    @Test
    void launchFailureBacksOffWithItsReasonThenFailsSayingWhatToFix() {
        Drive bot = Drive.runner();
        bot.on(new Event.Control(Command.START, "supervisor start"));
        Table.Step step = null;
        for (int i = 0; i <= 3; i++) {
            long gen = bot.nextGen();
            bot.on(new Event.GateOpened(gen));
            step = bot.on(new Event.LaunchFailed(gen, "cannot write /state/run/b/spec.properties: No space left"));
            if (i < 3) {
                assertThat(step.slot().state()).isEqualTo(ChildState.BACKOFF);
                assertThat(Drive.logs(step)).anyMatch(l -> l.startsWith("bot 'b' could not be launched: cannot write "
                        + "/state/run/b/spec.properties: No space left; restarting in "));
                bot.advance(Duration.ofSeconds(1));
                bot.on(new Event.TimerFired(Timer.BACKOFF, 0));
            }
        }
        assertThat(step.slot().state()).isEqualTo(ChildState.FAILED);
        assertThat(step.slot().failedReason()).isEqualTo("bot 'b' could not be launched: cannot write "
                + "/state/run/b/spec.properties: No space left; giving up: more than 3 restarts in 60 s; FAILED until "
                + "'botvisor ctl start b'");
        assertThat(step.slot().current()).isNull();
    }

    @Test
    void startupTimeoutKillsTheTreeAndCountsAsAFailure() {
        Drive bot = Drive.runner().in(ChildState.STARTING);
        Table.Step timeout = bot.on(new Event.TimerFired(Timer.STARTUP, bot.gen()));
        assertThat(timeout.slot().state()).isEqualTo(ChildState.STOPPING);
        assertThat(Drive.summary(timeout)).containsExactly("LeaveGate", "Signal:KILL_TREE");
        assertThat(Drive.logs(timeout)).containsExactly(
                "bot 'b' (pid 4242) sent no READY within 30.0 s; killing its process tree");
        Table.Step exit = bot.on(new Event.Exited(bot.gen(), 137));
        assertThat(exit.slot().state()).isEqualTo(ChildState.BACKOFF);
        assertThat(exit.slot().lastExit().reason()).isEqualTo("no READY within 30.0 s");
    }

    @Test
    void shutdownDuringBackoffStopsAtOnceAndCancelsTheRestart() {
        Drive bot = Drive.runner().in(ChildState.BACKOFF);
        Table.Step step = bot.on(new Event.Shutdown("SIGTERM"));
        assertThat(step.slot().state()).isEqualTo(ChildState.STOPPED);
        assertThat(step.effects()).contains(new Effect.Cancel(Timer.BACKOFF));
        assertThat(bot.on(new Event.TimerFired(Timer.BACKOFF, 0)).slot().queued()).isFalse();
    }

    @Test
    void configurationErrorBeforeReadyFailsAtOnceWithTheChildsCause() {
        Drive bot = Drive.runner().in(ChildState.STARTING);
        bot.on(new Event.ChildEvent(bot.gen(), ChildExit.EVENT_START_FAILED,
                "bot type or class 'chaso' not found (built-in types: [chaos])"));
        Table.Step exit = bot.on(new Event.Exited(bot.gen(), ChildExit.CONFIG_ERROR));
        assertThat(exit.slot().state()).isEqualTo(ChildState.FAILED);
        assertThat(exit.slot().failedReason()).isEqualTo("bot 'b' cannot start: bot type or class 'chaso' not found "
                + "(built-in types: [chaos]) [pid 4242]; a configuration error is not retried: fix it, then "
                + "'botvisor ctl start b'");
        assertThat(exit.slot().lastExit().reason()).isEqualTo(
                "configuration error: bot type or class 'chaso' not found (built-in types: [chaos])");
        assertThat(exit.slot().restartsInWindow(0)).isZero();
    }

    @Test
    void startFailureThatMayPassIsRestartedWithItsCauseInTheLog() {
        Drive bot = Drive.runner().in(ChildState.STARTING);
        bot.on(new Event.ChildEvent(bot.gen(), ChildExit.EVENT_START_FAILED, "connection refused"));
        Table.Step exit = bot.on(new Event.Exited(bot.gen(), ChildExit.START_FAILED));
        assertThat(exit.slot().state()).isEqualTo(ChildState.BACKOFF);
        assertThat(Drive.logs(exit)).anyMatch(l -> l.startsWith(
                "bot 'b' exited with code 1 [pid 4242]: start failed: connection refused; restarting in 0.2 s"));
    }

    @Test
    void childTextIsLoggedOnOneLine() {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        Table.Step step = bot.on(new Event.ChildEvent(bot.gen(), "note", "line one\nFAKE: bot 'x' is RUNNING"));
        assertThat(Drive.logs(step)).containsExactly("bot 'b' [pid 4242] note: line one\\nFAKE: bot 'x' is RUNNING");
    }

    @Test
    void readyLogsThePidTheSupervisorLaunchedNotOneTheChildClaims() {
        Drive bot = Drive.runner().in(ChildState.STARTING);
        Table.Step step = bot.on(new Event.Ready(bot.gen(), 250));
        assertThat(step.slot().state()).isEqualTo(ChildState.RUNNING);
        assertThat(Drive.logs(step)).containsExactly("bot 'b' is RUNNING [pid 4242, ready 250 ms after JVM start]");
        assertThat(Drive.summary(step)).containsExactly("LeaveGate", "Arm:HEARTBEAT");
    }

    @Test
    void overdueHeartbeatKillsTheTree() {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        bot.advance(Duration.ofMillis(2100));
        Table.Step step = bot.on(new Event.TimerFired(Timer.HEARTBEAT, bot.gen()));
        assertThat(step.slot().state()).isEqualTo(ChildState.STOPPING);
        assertThat(Drive.summary(step)).containsExactly("Signal:KILL_TREE");
        assertThat(Drive.logs(step)).containsExactly(
                "bot 'b' (pid 4242) no heartbeat for 2.1 s (hung or stopped); killing its process tree");
    }

    @Test
    void heartbeatDeadlineMovesWithEachHeartbeat() {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        bot.advance(Duration.ofMillis(1500));
        bot.on(new Event.Heartbeat(bot.gen(), heartbeat(bot.gen())));
        bot.advance(Duration.ofMillis(600));
        Table.Step step = bot.on(new Event.TimerFired(Timer.HEARTBEAT, bot.gen()));
        assertThat(step.slot().state()).isEqualTo(ChildState.RUNNING);
        assertThat(step.effects()).containsExactly(
                new Effect.Arm(Timer.HEARTBEAT, Duration.ofMillis(1401), Rules.HEARTBEAT_SLACK, bot.gen()));
    }

    @Test
    void heartbeatTaskFailureIsNamedWhenTheHangIsFound() {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        bot.on(new Event.ChildEvent(bot.gen(), ChildExit.EVENT_HEARTBEAT_FAILED, "java.lang.OutOfMemoryError"));
        bot.advance(Duration.ofSeconds(3));
        Table.Step step = bot.on(new Event.TimerFired(Timer.HEARTBEAT, bot.gen()));
        assertThat(step.slot().current().stop().reason()).isEqualTo(
                "no heartbeat for 3.0 s (hung or stopped); its heartbeat task failed: java.lang.OutOfMemoryError");
    }

    @Test
    void childStoppedBySignalInTwoSamplesIsKilled() {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        assertThat(bot.on(new Event.ProcSample(bot.gen(), 50 << 20, true)).slot().state())
                .isEqualTo(ChildState.RUNNING);
        Table.Step second = bot.on(new Event.ProcSample(bot.gen(), 50 << 20, true));
        assertThat(second.slot().state()).isEqualTo(ChildState.STOPPING);
        assertThat(Drive.summary(second)).containsExactly("Signal:KILL_TREE");
    }

    @Test
    void memoryAboveTheLimitRestartsGracefullyAsAFailure() {
        Drive bot = Drive.runner().memoryLimit(100 << 20).in(ChildState.RUNNING);
        Table.Step step = bot.on(new Event.ProcSample(bot.gen(), 150L << 20, false));
        assertThat(Drive.summary(step)).containsExactly("SendStop", "Arm:STOP_TIMEOUT");
        assertThat(step.slot().current().stop().failure()).isTrue();
        assertThat(bot.on(new Event.Exited(bot.gen(), 0)).slot().state()).isEqualTo(ChildState.BACKOFF);
    }

    @Test
    void backoffStartsOverOnceTheBotWasHealthyForResetAfter() {
        Drive bot = Drive.runner().in(ChildState.BACKOFF);
        bot.advance(Duration.ofSeconds(1));
        bot.on(new Event.TimerFired(Timer.BACKOFF, 0));
        bot.on(new Event.GateOpened(bot.nextGen()));
        bot.on(new Event.Launched(bot.gen(), Drive.PID));
        bot.on(new Event.Ready(bot.gen(), 200));
        assertThat(bot.slot().backoffFailures()).isEqualTo(1);
        for (int s = 0; s <= 61; s++) {
            bot.on(new Event.Heartbeat(bot.gen(), heartbeat(bot.gen())));
            bot.on(new Event.ProcSample(bot.gen(), 50 << 20, false));
            bot.advance(Duration.ofSeconds(1));
        }
        assertThat(bot.slot().backoffFailures()).isZero();
    }

    @Test
    void exitOfAnEarlierIncarnationChangesNothing() {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        Table.Step step = bot.on(new Event.Exited(bot.gen() - 1, 137));
        assertThat(step.slot()).isEqualTo(bot.slot());
        assertThat(step.effects()).isEmpty();
    }

    @Test
    void stopBeforeThePidIsKnownSignalsOnceItIs() {
        Drive bot = Drive.runner();
        bot.on(new Event.Control(Command.START, "supervisor start"));
        bot.on(new Event.GateOpened(bot.nextGen()));
        Table.Step stop = bot.on(new Event.Control(Command.STOP, "ctl stop"));
        assertThat(stop.slot().state()).isEqualTo(ChildState.STOPPING);
        assertThat(Drive.summary(stop)).containsExactly("LeaveGate");
        Table.Step launched = bot.on(new Event.Launched(bot.gen(), Drive.PID));
        assertThat(Drive.summary(launched)).containsExactly("ChildStarted", "Signal:TERM_ROOT", "Arm:STOP_TIMEOUT");
    }

    @Test
    void launchNobodyWantsAnyMoreIsKilled() {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        Table.Step step = bot.on(new Event.Launched(bot.gen() + 7, 999));
        assertThat(step.effects()).contains(new Effect.SignalTree(bot.gen() + 7, Effect.Signal.KILL_TREE));
        assertThat(step.slot().current().pid()).isEqualTo(Drive.PID);
    }

    @Test
    void stopTimeoutEscalatesToSigtermThenSigkill() {
        Drive bot = Drive.runner().in(ChildState.STOPPING);
        Table.Step term = bot.on(new Event.TimerFired(Timer.STOP_TIMEOUT, bot.gen()));
        assertThat(Drive.summary(term)).containsExactly("Signal:TERM_TREE", "Arm:KILL_GRACE");
        assertThat(Drive.logs(term)).containsExactly(
                "bot 'b' (pid 4242) did not stop within 10.0 s; sending SIGTERM to its process tree");
        Table.Step kill = bot.on(new Event.TimerFired(Timer.KILL_GRACE, bot.gen()));
        assertThat(Drive.summary(kill)).containsExactly("Signal:KILL_TREE");
    }

    @Test
    void commandBotRunsOnceLaunchedAndStopsBySigterm() {
        Drive bot = Drive.command();
        bot.on(new Event.Control(Command.START, "supervisor start"));
        Table.Step open = bot.on(new Event.GateOpened(bot.nextGen()));
        assertThat(Drive.summary(open)).containsExactly("Launch");
        Table.Step launched = bot.on(new Event.Launched(bot.gen(), Drive.PID));
        assertThat(launched.slot().state()).isEqualTo(ChildState.RUNNING);
        Table.Step stop = bot.on(new Event.Control(Command.STOP, "ctl stop"));
        assertThat(Drive.summary(stop)).containsExactly("Signal:TERM_ROOT", "Arm:STOP_TIMEOUT");
    }

    @Test
    void intensityCountsOnlyRestartsInsideTheWindow() {
        Drive bot = Drive.runner().policy(RestartPolicy.ALWAYS);
        bot.on(new Event.Control(Command.START, "supervisor start"));
        for (int i = 0; i < 6; i++) {
            long gen = bot.nextGen();
            bot.on(new Event.GateOpened(gen));
            bot.on(new Event.Launched(gen, Drive.PID));
            Table.Step exit = bot.on(new Event.Exited(gen, 3));
            assertThat(exit.slot().state()).as("crash %d, 61 s after the one before", i)
                    .isEqualTo(ChildState.BACKOFF);
            bot.advance(Duration.ofSeconds(61));
            bot.on(new Event.TimerFired(Timer.BACKOFF, 0));
        }
    }

    @Test
    void gatePlaceGivenToABotThatNoLongerWantsToStartIsGivenBack() {
        Drive bot = Drive.runner();
        bot.on(new Event.Control(Command.START, "supervisor start"));
        bot.on(new Event.Control(Command.STOP, "ctl stop"));
        Table.Step open = bot.on(new Event.GateOpened(bot.nextGen()));
        assertThat(open.slot().state()).isEqualTo(ChildState.STOPPED);
        assertThat(Drive.summary(open)).containsExactly("LeaveGate");
    }

    @Test
    void tamperedEventsQueueKillsTheTreeAndCountsAsAFailureWithTheReason() {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        Table.Step step = bot.on(new Event.EventsTampered(bot.gen(), "a FIFO in it (20261130-17F.cq4) held the "
                + "supervisor's read for 1.2 s, until the supervisor opened it"));
        assertThat(step.slot().state()).isEqualTo(ChildState.STOPPING);
        assertThat(Drive.summary(step)).containsExactly("Signal:KILL_TREE");
        assertThat(Drive.logs(step)).containsExactly("bot 'b' (pid 4242) its events queue was tampered with: a FIFO "
                + "in it (20261130-17F.cq4) held the supervisor's read for 1.2 s, until the supervisor opened it; "
                + "killing its process tree");
        Table.Step exit = bot.on(new Event.Exited(bot.gen(), 137));
        assertThat(exit.slot().state()).isEqualTo(ChildState.BACKOFF);
        assertThat(exit.slot().lastExit().reason()).isEqualTo("its events queue was tampered with: a FIFO in it "
                + "(20261130-17F.cq4) held the supervisor's read for 1.2 s, until the supervisor opened it");
    }

    @Test
    void botThatKeepsTamperingWithItsEventsQueueEndsFailedSayingSo() {
        Drive bot = Drive.runner();
        bot.on(new Event.Control(Command.START, "supervisor start"));
        Table.Step exit = null;
        for (int i = 0; i <= 3; i++) {
            long gen = bot.nextGen();
            bot.on(new Event.GateOpened(gen));
            bot.on(new Event.Launched(gen, Drive.PID));
            bot.on(new Event.Ready(gen, 200));
            bot.on(new Event.EventsTampered(gen, "reading it faulted (java.lang.InternalError)"));
            exit = bot.on(new Event.Exited(gen, 137));
            bot.advance(Duration.ofSeconds(2));
            bot.on(new Event.TimerFired(Timer.BACKOFF, 0));
        }
        assertThat(exit.slot().state()).isEqualTo(ChildState.FAILED);
        assertThat(exit.slot().failedReason()).startsWith("bot 'b' exited with 137 (SIGKILL) [pid 4242, killed: "
                + "its events queue was tampered with: reading it faulted (java.lang.InternalError)]; giving up: ");
    }

    @Test
    void tamperingFoundWhileAStopIsUnderWayKillsAtOnce() {
        Drive bot = Drive.runner().in(ChildState.STOPPING);
        Table.Step step = bot.on(new Event.EventsTampered(bot.gen(), "reading it failed (x), 2 reads in a row"));
        assertThat(Drive.summary(step)).containsExactly("Signal:KILL_TREE");
        assertThat(step.effects()).contains(new Effect.Cancel(Timer.STOP_TIMEOUT));
        Table.Step exit = bot.on(new Event.Exited(bot.gen(), 137));
        assertThat(exit.slot().state()).as("the operator's stop still holds").isEqualTo(ChildState.STOPPED);
        assertThat(exit.slot().lastExit().reason())
                .isEqualTo("its events queue was tampered with: reading it failed (x), 2 reads in a row");
    }

    @Test
    void tamperingFoundWhenNoIncarnationRunsChangesNothing() {
        Drive bot = Drive.runner().in(ChildState.BACKOFF);
        Slot before = bot.slot();
        Table.Step step = bot.on(new Event.EventsTampered(0, "reading it failed (x), 2 reads in a row"));
        assertThat(step.slot()).isEqualTo(before);
        assertThat(step.effects()).isEmpty();
    }

    @Test
    void aHealthScoreThatFallsBelowMinScoreIsLoggedWithItsReasonsAndSoIsItsRecovery() {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        bot.on(new Event.Heartbeat(bot.gen(), heartbeat(bot.gen())));
        assertThat(Drive.logs(bot.on(new Event.ProcSample(bot.gen(), 50 << 20, false)))).as("healthy: nothing")
                .isEmpty();
        bot.on(new Event.Heartbeat(bot.gen(), new Message.Heartbeat(bot.gen(), 2, 10, 100, 0, 0, 10, 0, false,
                "queue unreachable", Map.of(), System.currentTimeMillis())));
        assertThat(Drive.logs(bot.on(new Event.ProcSample(bot.gen(), 50 << 20, false)))).containsExactly(
                "bot 'b' (pid 4242) health score 40 fell below 50: self-check failing (-60); restarted if it stays "
                        + "below for 30.0 s");
        assertThat(Drive.logs(bot.on(new Event.ProcSample(bot.gen(), 50 << 20, false)))).as("still low: said once")
                .isEmpty();
        bot.on(new Event.Heartbeat(bot.gen(), heartbeat(bot.gen())));
        assertThat(Drive.logs(bot.on(new Event.ProcSample(bot.gen(), 50 << 20, false)))).containsExactly(
                "bot 'b' (pid 4242) health score 100 is back at or above 50");
    }

    private static Message.Heartbeat heartbeat(long gen) {
        return new Message.Heartbeat(gen, 1, 10, 100, 0, 0, 10, 0, true, "", Map.of(), System.currentTimeMillis());
    }
}

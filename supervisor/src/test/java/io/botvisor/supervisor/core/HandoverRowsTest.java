package io.botvisor.supervisor.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.ChildExit;
import io.botvisor.supervisor.core.Event.Command;
import io.botvisor.supervisor.core.Slot.Handover.Phase;
import org.junit.jupiter.api.Test;

/** The handover restart's rows ({@link Handovers}), one behaviour each, on a fake clock. */
class HandoverRowsTest {
    private static final long SUCCESSOR_PID = 5151;

    /** A RUNNING Telegram bot whose restart by handover reached {@code phase}; the successor's gen is returned. */
    private static long handingOver(Drive bot, Phase phase) {
        bot.in(ChildState.RUNNING);
        bot.on(new Event.Control(Command.RESTART, "ctl restart"));
        if (phase == Phase.QUEUED) {
            return 0;
        }
        long successor = bot.nextGen();
        bot.on(new Event.GateOpened(successor));
        bot.on(new Event.Launched(successor, SUCCESSOR_PID));
        if (phase == Phase.WARMING) {
            return successor;
        }
        bot.on(new Event.Ready(successor, 400, true));
        if (phase == Phase.SWITCHING) {
            return successor;
        }
        bot.on(new Event.HandedOver(bot.gen() - 1, 77));
        return successor;
    }

    @Test
    void restartOfARunningTelegramBotQueuesASuccessorAndKeepsTheBotRunning() {
        Drive bot = Drive.telegram().in(ChildState.RUNNING);
        Table.Step step = bot.on(new Event.Control(Command.RESTART, "ctl restart"));
        assertThat(step.slot().state()).isEqualTo(ChildState.RUNNING);
        assertThat(step.slot().handover().phase()).isEqualTo(Phase.QUEUED);
        assertThat(Drive.summary(step)).containsExactly("JoinGate");
    }

    @Test
    void coldRestartOfATelegramBotStopsItFirst() {
        Drive bot = Drive.telegram().in(ChildState.RUNNING);
        Table.Step step = bot.on(new Event.Control(Command.RESTART_COLD, "ctl restart --cold"));
        assertThat(step.slot().state()).isEqualTo(ChildState.STOPPING);
        assertThat(step.slot().handover()).isNull();
        assertThat(Drive.summary(step)).containsExactly("SendStop", "Arm:STOP_TIMEOUT");
    }

    @Test
    void restartOfABotWhoseReadySaidItCannotHandOverIsCold() {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        Table.Step step = bot.on(new Event.Control(Command.RESTART, "ctl restart"));
        assertThat(step.slot().state()).isEqualTo(ChildState.STOPPING);
        assertThat(step.slot().handover()).isNull();
    }

    @Test
    void theGatePlaceLaunchesTheSuccessorInStandby() {
        Drive bot = Drive.telegram();
        handingOver(bot, Phase.QUEUED);
        long serving = bot.gen();
        Table.Step step = bot.on(new Event.GateOpened(bot.nextGen()));
        assertThat(step.effects()).contains(new Effect.Launch(bot.gen(), true));
        assertThat(step.slot().successor().gen()).isEqualTo(bot.gen());
        assertThat(step.slot().current().gen()).isEqualTo(serving);
        assertThat(step.slot().handover().phase()).isEqualTo(Phase.WARMING);
    }

    @Test
    void theSuccessorsReadyAsksTheServingProcessToHandOver() {
        Drive bot = Drive.telegram();
        long successor = handingOver(bot, Phase.WARMING);
        long serving = bot.slot().current().gen();
        Table.Step step = bot.on(new Event.Ready(successor, 400, true));
        assertThat(step.effects()).contains(new Effect.SendHandover(serving, bot.slot().spec().stopTimeout()));
        assertThat(Drive.summary(step)).containsExactly("LeaveGate", "SendHandover", "Arm:HANDOVER");
        assertThat(step.slot().handover().phase()).isEqualTo(Phase.SWITCHING);
        assertThat(step.slot().state()).isEqualTo(ChildState.RUNNING);
    }

    @Test
    void theReportedOffsetIsWhereTheSuccessorPollsFromWhileThePredecessorFinishes() {
        Drive bot = Drive.telegram();
        long successor = handingOver(bot, Phase.SWITCHING);
        Table.Step step = bot.on(new Event.HandedOver(bot.slot().current().gen(), 523_337_288L));
        assertThat(step.effects()).contains(new Effect.SendTakeover(successor, 523_337_288L, false));
        assertThat(step.slot().handover().phase()).isEqualTo(Phase.RETIRING);
    }

    @Test
    void thePredecessorsExitMakesTheSuccessorCurrentAndServing() {
        Drive bot = Drive.telegram();
        long successor = handingOver(bot, Phase.RETIRING);
        long serving = bot.slot().current().gen();
        Table.Step step = bot.on(new Event.Exited(serving, 0));
        assertThat(step.slot().current().gen()).isEqualTo(successor);
        assertThat(step.slot().current().pid()).isEqualTo(SUCCESSOR_PID);
        assertThat(step.slot().successor()).isNull();
        assertThat(step.slot().handover()).isNull();
        assertThat(step.slot().state()).isEqualTo(ChildState.RUNNING);
        assertThat(step.effects()).contains(new Effect.ChildGone(serving, false),
                new Effect.SendTakeover(successor, 77, true));
        assertThat(Drive.summary(step)).containsExactly("ChildGone", "ChildStarted", "SendTakeover", "Arm:HEARTBEAT");
        assertThat(step.slot().restartsInWindow(0)).as("an operator's restart is not a failure").isZero();
    }

    @Test
    void aSuccessorThatExitsBeforeReadyFailsTheHandoverAndThePredecessorKeepsServing() {
        Drive bot = Drive.telegram();
        long successor = handingOver(bot, Phase.WARMING);
        long serving = bot.slot().current().gen();
        Table.Step step = bot.on(new Event.Exited(successor, ChildExit.CONFIG_ERROR));
        assertThat(step.slot().current().gen()).isEqualTo(serving);
        assertThat(step.slot().successor()).isNull();
        assertThat(step.slot().handover()).isNull();
        assertThat(step.slot().state()).isEqualTo(ChildState.RUNNING);
        assertThat(step.slot().handoverFailure()).startsWith("its successor has a configuration error: exited with");
        assertThat(step.effects()).contains(new Effect.ChildGone(successor, false));
        assertThat(Drive.summary(step)).containsExactly("ChildGone", "LeaveGate");
    }

    @Test
    void aSuccessorWithoutReadyInTimeIsStoppedAndThePredecessorKeepsServing() {
        Drive bot = Drive.telegram();
        long successor = handingOver(bot, Phase.WARMING);
        Table.Step timeout = bot.on(new Event.TimerFired(Timer.SUCCESSOR_STARTUP, successor));
        assertThat(timeout.slot().handover().phase()).isEqualTo(Phase.ABORTING);
        assertThat(timeout.slot().handoverFailure()).startsWith("its successor sent no READY within");
        assertThat(timeout.effects()).contains(new Effect.SignalTree(successor, Effect.Signal.TERM_TREE));
        Table.Step exit = bot.on(new Event.Exited(successor, 143));
        assertThat(exit.slot().handover()).isNull();
        assertThat(exit.slot().state()).isEqualTo(ChildState.RUNNING);
        assertThat(exit.slot().current().pid()).isEqualTo(Drive.PID);
    }

    @Test
    void aPredecessorThatDoesNotHandOverInTimeIsKilledAndTheSuccessorTakesOverFromZero() {
        Drive bot = Drive.telegram();
        long successor = handingOver(bot, Phase.SWITCHING);
        long serving = bot.slot().current().gen();
        Table.Step timeout = bot.on(new Event.TimerFired(Timer.HANDOVER, serving));
        assertThat(Drive.summary(timeout)).containsExactly("Signal:KILL_TREE");
        Table.Step exit = bot.on(new Event.Exited(serving, 137));
        assertThat(exit.effects()).contains(new Effect.SendTakeover(successor, 0, true));
        assertThat(exit.slot().current().gen()).isEqualTo(successor);
        assertThat(exit.slot().state()).isEqualTo(ChildState.RUNNING);
    }

    @Test
    void aCrashOfThePredecessorWhileTheSuccessorWarmsUpIsAFailureAndStopsTheSuccessor() {
        Drive bot = Drive.telegram();
        long successor = handingOver(bot, Phase.WARMING);
        Table.Step crash = bot.on(new Event.Exited(bot.slot().current().gen(), 134));
        assertThat(crash.slot().state()).isEqualTo(ChildState.BACKOFF);
        assertThat(crash.effects()).contains(new Effect.SignalTree(successor, Effect.Signal.TERM_TREE));
        assertThat(crash.slot().handover().phase()).isEqualTo(Phase.ABORTING);
        Table.Step gone = bot.on(new Event.Exited(successor, 143));
        assertThat(gone.slot().handover()).isNull();
        assertThat(gone.effects()).contains(new Effect.ChildGone(successor, true));
    }

    @Test
    void stopDuringAHandoverStopsBothProcesses() {
        Drive bot = Drive.telegram();
        long successor = handingOver(bot, Phase.WARMING);
        Table.Step stop = bot.on(new Event.Control(Command.STOP, "ctl stop"));
        assertThat(stop.slot().state()).isEqualTo(ChildState.STOPPING);
        assertThat(stop.effects()).contains(new Effect.SignalTree(successor, Effect.Signal.TERM_TREE));
        assertThat(Drive.summary(stop)).contains("SendStop");
    }

    @Test
    void aSecondRestartDuringAHandoverChangesNothing() {
        Drive bot = Drive.telegram();
        handingOver(bot, Phase.WARMING);
        Slot before = bot.slot();
        Table.Step again = bot.on(new Event.Control(Command.RESTART, "ctl restart"));
        assertThat(again.slot()).isEqualTo(before);
        assertThat(Drive.logs(again)).containsExactly(
                "bot 'b': ctl restart changes nothing: a restart by handover is in progress");
    }

    @Test
    void aStaleHandedOverReportChangesNothing() {
        Drive bot = Drive.telegram();
        handingOver(bot, Phase.WARMING);
        Slot before = bot.slot();
        Table.Step stale = bot.on(new Event.HandedOver(bot.slot().current().gen(), 5));
        assertThat(stale.slot()).isEqualTo(before);
        assertThat(stale.effects()).isEmpty();
    }

    @Test
    void memoryAboveTheLimitHandsATelegramBotOverCountedAsARestart() {
        Drive bot = Drive.telegram().memoryLimit(100 << 20).in(ChildState.RUNNING);
        Table.Step step = bot.on(new Event.ProcSample(bot.gen(), 150L << 20, false));
        assertThat(step.slot().state()).isEqualTo(ChildState.RUNNING);
        assertThat(step.slot().handover().phase()).isEqualTo(Phase.QUEUED);
        assertThat(step.slot().restartsInWindow(bot.slot().sinceNanos())).isEqualTo(1);
        assertThat(Drive.summary(step)).containsExactly("JoinGate");
        Table.Step again = bot.on(new Event.ProcSample(bot.gen(), 150L << 20, false));
        assertThat(again.slot().handover().phase()).as("judged once: the handover is on").isEqualTo(Phase.QUEUED);
        assertThat(again.slot().restartsTotal()).isEqualTo(1);
    }
}

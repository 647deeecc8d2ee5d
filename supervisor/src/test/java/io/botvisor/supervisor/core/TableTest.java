package io.botvisor.supervisor.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.supervisor.config.RestartPolicy;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.core.Event.Command;
import io.botvisor.supervisor.core.Slot.Desired;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every state with every control command, on a fake clock: the next state, what the bot is wanted as, whether it
 * waits for the start gate, and what the shell is asked to do (logs, cancels and state notices left out).
 */
class TableTest {

    static Stream<Arguments> controlCells() {
        return Stream.of(
                // state        command           next state            desired       queued  effects
                cell(ChildState.STOPPED, Command.START, ChildState.STOPPED, Desired.UP, true, "JoinGate"),
                cell(ChildState.STOPPED, Command.STOP, ChildState.STOPPED, Desired.DOWN, false),
                cell(ChildState.STOPPED, Command.RESTART, ChildState.STOPPED, Desired.UP, true, "JoinGate"),
                cell(ChildState.STARTING, Command.START, ChildState.STARTING, Desired.UP, false),
                cell(ChildState.STARTING, Command.STOP, ChildState.STOPPING, Desired.DOWN, false,
                        "LeaveGate", "Signal:TERM_ROOT", "Arm:STOP_TIMEOUT"),
                cell(ChildState.STARTING, Command.RESTART, ChildState.STOPPING, Desired.UP, false,
                        "LeaveGate", "Signal:TERM_ROOT", "Arm:STOP_TIMEOUT"),
                cell(ChildState.RUNNING, Command.START, ChildState.RUNNING, Desired.UP, false),
                cell(ChildState.RUNNING, Command.STOP, ChildState.STOPPING, Desired.DOWN, false,
                        "SendStop", "Arm:STOP_TIMEOUT"),
                cell(ChildState.RUNNING, Command.RESTART, ChildState.STOPPING, Desired.UP, false,
                        "SendStop", "Arm:STOP_TIMEOUT"),
                cell(ChildState.STOPPING, Command.START, ChildState.STOPPING, Desired.UP, false),
                cell(ChildState.STOPPING, Command.STOP, ChildState.STOPPING, Desired.DOWN, false),
                cell(ChildState.STOPPING, Command.RESTART, ChildState.STOPPING, Desired.UP, false),
                cell(ChildState.BACKOFF, Command.START, ChildState.BACKOFF, Desired.UP, true, "JoinGate"),
                cell(ChildState.BACKOFF, Command.STOP, ChildState.STOPPED, Desired.DOWN, false),
                cell(ChildState.BACKOFF, Command.RESTART, ChildState.BACKOFF, Desired.UP, true, "JoinGate"),
                cell(ChildState.FAILED, Command.START, ChildState.STOPPED, Desired.UP, true, "JoinGate"),
                cell(ChildState.FAILED, Command.STOP, ChildState.FAILED, Desired.DOWN, false),
                cell(ChildState.FAILED, Command.RESTART, ChildState.STOPPED, Desired.UP, true, "JoinGate"));
    }

    private static Arguments cell(ChildState from, Command command, ChildState to, Desired desired, boolean queued,
                                  String... effects) {
        return Arguments.of(from, command, to, desired, queued, List.of(effects));
    }

    @ParameterizedTest(name = "{1} in {0} -> {2}, desired {3}, queued {4}, {5}")
    @MethodSource("controlCells")
    void controlCommandInEveryState(ChildState from, Command command, ChildState to, Desired desired, boolean queued,
                                    List<String> effects) {
        Drive bot = Drive.runner().in(from);
        Table.Step step = bot.on(new Event.Control(command, "ctl " + command));
        assertThat(step.slot().state()).isEqualTo(to);
        assertThat(step.slot().desired()).isEqualTo(desired);
        assertThat(step.slot().queued()).isEqualTo(queued);
        assertThat(Drive.summary(step)).isEqualTo(effects);
    }

    static Stream<Arguments> respecCells() {
        return Stream.of(
                // state (STOPPING was a ctl stop)  next state           desired       queued  effects
                Arguments.of(ChildState.STOPPED, ChildState.STOPPED, Desired.UP, true, List.of("JoinGate")),
                Arguments.of(ChildState.STARTING, ChildState.STOPPING, Desired.UP, false,
                        List.of("LeaveGate", "Signal:TERM_ROOT", "Arm:STOP_TIMEOUT")),
                Arguments.of(ChildState.RUNNING, ChildState.STOPPING, Desired.UP, false,
                        List.of("SendStop", "Arm:STOP_TIMEOUT")),
                Arguments.of(ChildState.STOPPING, ChildState.STOPPING, Desired.DOWN, false, List.of()),
                Arguments.of(ChildState.BACKOFF, ChildState.BACKOFF, Desired.UP, true, List.of("JoinGate")),
                Arguments.of(ChildState.FAILED, ChildState.STOPPED, Desired.UP, true, List.of("JoinGate")));
    }

    @ParameterizedTest(name = "respec in {0} -> {1}, desired {2}, queued {3}, {4}")
    @MethodSource("respecCells")
    void reloadedSpecRestartsABotWantedUpAndOnlyReplacesTheSpecOfOneWantedDown(ChildState from, ChildState to,
                                                                             Desired desired, boolean queued,
                                                                             List<String> effects) {
        Drive bot = Drive.runner().in(from);
        Specs.Bot next = Drive.bot(List.of("sleep", "1"));
        Table.Step step = bot.on(new Event.Respec(next, true, "reload"));
        assertThat(step.slot().state()).isEqualTo(to);
        assertThat(step.slot().desired()).isEqualTo(desired);
        assertThat(step.slot().queued()).isEqualTo(queued);
        assertThat(Drive.summary(step)).isEqualTo(effects);
        assertThat(step.slot().spec()).as("the new spec, for the next launch").isEqualTo(next);
    }

    @Test
    void aRunningCommandBotReloadedAsABotRunnerBotIsStoppedAsACommandBot() {
        Drive bot = Drive.command().in(ChildState.RUNNING);
        Table.Step step = bot.on(new Event.Respec(Drive.bot(null), true, "reload"));
        assertThat(Drive.summary(step)).as("SIGTERM, not a STOP over IPC it could not read")
                .isEqualTo(List.of("Signal:TERM_ROOT", "Arm:STOP_TIMEOUT"));
        assertThat(step.slot().spec().isCommand()).isFalse();
    }

    @Test
    void aSpecTakenLiveReplacesTheSpecAndLeavesTheChildRunning() {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        Table.Step step = bot.on(new Event.Respec(Drive.bot(null), false, "reload"));
        assertThat(step.slot().state()).isEqualTo(ChildState.RUNNING);
        assertThat(Drive.summary(step)).isEmpty();
    }

    static Stream<Arguments> shutdownCells() {
        return Stream.of(
                Arguments.of(ChildState.STOPPED, ChildState.STOPPED, List.of()),
                Arguments.of(ChildState.STARTING, ChildState.STOPPING,
                        List.of("LeaveGate", "Signal:TERM_ROOT", "Arm:STOP_TIMEOUT")),
                Arguments.of(ChildState.RUNNING, ChildState.STOPPING, List.of("SendStop", "Arm:STOP_TIMEOUT")),
                Arguments.of(ChildState.STOPPING, ChildState.STOPPING, List.of()),
                Arguments.of(ChildState.BACKOFF, ChildState.STOPPED, List.of()),
                Arguments.of(ChildState.FAILED, ChildState.FAILED, List.of()));
    }

    @ParameterizedTest(name = "shutdown in {0} -> {1}, {2}")
    @MethodSource("shutdownCells")
    void shutdownInEveryStateTakesTheBotDownForGood(ChildState from, ChildState to, List<String> effects) {
        Drive bot = Drive.runner().in(from);
        Table.Step step = bot.on(new Event.Shutdown("SIGTERM"));
        assertThat(step.slot().state()).isEqualTo(to);
        assertThat(step.slot().desired()).isEqualTo(Desired.DOWN);
        assertThat(Drive.summary(step)).isEqualTo(effects);
        Table.Step again = bot.on(new Event.Control(Command.START, "ctl start"));
        assertThat(again.slot().desired()).isEqualTo(Desired.DOWN);
        assertThat(Drive.summary(again)).isEmpty();
    }

    @ParameterizedTest(name = "{0} and exit {1} -> {2}")
    @MethodSource("policyCells")
    void restartPolicyDecidesWhatAnUnaskedExitLeads(RestartPolicy policy, int code, ChildState to) {
        Drive bot = Drive.runner().policy(policy).in(ChildState.RUNNING);
        assertThat(bot.on(new Event.Exited(bot.gen(), code)).slot().state()).isEqualTo(to);
    }

    static Stream<Arguments> policyCells() {
        return Stream.of(
                Arguments.of(RestartPolicy.ALWAYS, 0, ChildState.BACKOFF),
                Arguments.of(RestartPolicy.ALWAYS, 3, ChildState.BACKOFF),
                Arguments.of(RestartPolicy.ON_FAILURE, 0, ChildState.STOPPED),
                Arguments.of(RestartPolicy.ON_FAILURE, 137, ChildState.BACKOFF),
                Arguments.of(RestartPolicy.NEVER, 0, ChildState.FAILED),
                Arguments.of(RestartPolicy.NEVER, 3, ChildState.FAILED));
    }

    @ParameterizedTest(name = "exit {0} after a stop wanted {1} for cause {2} -> {3}, queued {4}")
    @MethodSource("exitDuringStoppingCells")
    void exitDuringStoppingEndsAsTheStopAndWhatIsWantedSay(int code, Desired desired, boolean forCause,
                                                         ChildState to, boolean queued) {
        Drive bot = Drive.runner().in(ChildState.RUNNING);
        if (forCause) {
            bot.advance(Duration.ofSeconds(3));
            bot.on(new Event.TimerFired(Timer.HEARTBEAT, bot.gen()));
        } else {
            bot.on(new Event.Control(Command.RESTART, "ctl restart"));
        }
        if (desired == Desired.DOWN) {
            bot.on(new Event.Control(Command.STOP, "ctl stop"));
        }
        Table.Step step = bot.on(new Event.Exited(bot.gen(), code));
        assertThat(step.slot().state()).isEqualTo(to);
        assertThat(step.slot().queued()).isEqualTo(queued);
        assertThat(step.slot().current()).isNull();
        assertThat(Drive.summary(step)).contains("ChildGone");
    }

    static Stream<Arguments> exitDuringStoppingCells() {
        return Stream.of(
                Arguments.of(0, Desired.UP, false, ChildState.STOPPED, true),
                Arguments.of(0, Desired.DOWN, false, ChildState.STOPPED, false),
                Arguments.of(137, Desired.UP, true, ChildState.BACKOFF, false),
                Arguments.of(137, Desired.DOWN, true, ChildState.STOPPED, false));
    }
}

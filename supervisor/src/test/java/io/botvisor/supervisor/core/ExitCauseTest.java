package io.botvisor.supervisor.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.ChildExit;
import io.botvisor.ipc.Message;
import io.botvisor.supervisor.config.RestartPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each way a bot's process ends, and the cause its {@link LastExit} carries for the exits counters. */
class ExitCauseTest {

    static Stream<Arguments> ends() {
        return Stream.of(
                Arguments.of("exit 1 on its own", ExitCause.CRASH, (Function<Drive, Slot>) bot -> {
                    bot.in(ChildState.RUNNING);
                    return bot.on(new Event.Exited(bot.gen(), 1)).slot();
                }),
                Arguments.of("SIGKILL nobody in the supervisor sent", ExitCause.CRASH, (Function<Drive, Slot>) bot -> {
                    bot.in(ChildState.RUNNING);
                    return bot.on(new Event.Exited(bot.gen(), 137)).slot();
                }),
                Arguments.of("clean exit nobody asked for, policy always", ExitCause.CRASH,
                        (Function<Drive, Slot>) bot -> {
                            bot.in(ChildState.RUNNING);
                            return bot.on(new Event.Exited(bot.gen(), 0)).slot();
                        }),
                Arguments.of("configuration error before READY", ExitCause.CRASH, (Function<Drive, Slot>) bot -> {
                    bot.in(ChildState.STARTING);
                    return bot.on(new Event.Exited(bot.gen(), ChildExit.CONFIG_ERROR)).slot();
                }),
                Arguments.of("JVM out of memory (exit 3)", ExitCause.OOM, (Function<Drive, Slot>) bot -> {
                    bot.in(ChildState.RUNNING);
                    return bot.on(new Event.Exited(bot.gen(), ExitCause.JVM_OOM_EXIT)).slot();
                }),
                Arguments.of("no heartbeat", ExitCause.HANG, (Function<Drive, Slot>) bot -> {
                    bot.in(ChildState.RUNNING);
                    bot.advance(Duration.ofSeconds(3));
                    bot.on(new Event.TimerFired(Timer.HEARTBEAT, bot.gen()));
                    return bot.on(new Event.Exited(bot.gen(), 137)).slot();
                }),
                Arguments.of("stopped by a signal", ExitCause.STOPPED_BY_SIGNAL, (Function<Drive, Slot>) bot -> {
                    bot.in(ChildState.RUNNING);
                    bot.on(new Event.ProcSample(bot.gen(), 50 << 20, true));
                    bot.on(new Event.ProcSample(bot.gen(), 50 << 20, true));
                    return bot.on(new Event.Exited(bot.gen(), 137)).slot();
                }),
                Arguments.of("memory above memoryLimit", ExitCause.MEMORY, (Function<Drive, Slot>) bot -> {
                    bot.memoryLimit(100 << 20).in(ChildState.RUNNING);
                    bot.on(new Event.ProcSample(bot.gen(), 150L << 20, false));
                    return bot.on(new Event.Exited(bot.gen(), 0)).slot();
                }),
                Arguments.of("health score too low for too long", ExitCause.UNHEALTHY, (Function<Drive, Slot>) bot -> {
                    bot.in(ChildState.RUNNING);
                    Message.Heartbeat failing = new Message.Heartbeat(bot.gen(), 1, 10, 100, 0, 0, 10, 0, false,
                            "broken", Map.of(), System.currentTimeMillis());
                    bot.on(new Event.Heartbeat(bot.gen(), failing));
                    bot.on(new Event.ProcSample(bot.gen(), 50 << 20, false));
                    bot.advance(Duration.ofSeconds(31));
                    bot.on(new Event.Heartbeat(bot.gen(), failing));
                    bot.on(new Event.ProcSample(bot.gen(), 50 << 20, false));
                    return bot.on(new Event.Exited(bot.gen(), 0)).slot();
                }),
                Arguments.of("no READY in time", ExitCause.STARTUP_TIMEOUT, (Function<Drive, Slot>) bot -> {
                    bot.in(ChildState.STARTING);
                    bot.on(new Event.TimerFired(Timer.STARTUP, bot.gen()));
                    return bot.on(new Event.Exited(bot.gen(), 137)).slot();
                }),
                Arguments.of("launch failed", ExitCause.LAUNCH_FAILED, (Function<Drive, Slot>) bot -> {
                    bot.on(new Event.Control(Event.Command.START, "supervisor start"));
                    long gen = bot.nextGen();
                    bot.on(new Event.GateOpened(gen));
                    return bot.on(new Event.LaunchFailed(gen, "fork failed")).slot();
                }),
                Arguments.of("events queue tampered with", ExitCause.CRASH, (Function<Drive, Slot>) bot -> {
                    bot.in(ChildState.RUNNING);
                    bot.on(new Event.EventsTampered(bot.gen(), "a FIFO"));
                    return bot.on(new Event.Exited(bot.gen(), 137)).slot();
                }));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("ends")
    void endIsCountedAsItsCause(String what, ExitCause expected, Function<Drive, Slot> end) {
        Slot after = end.apply(Drive.runner());
        assertThat(after.lastExit().cause()).as(after.lastExit().reason()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("uncounted")
    void endTheOperatorAskedForHasNoCause(String what, Function<Drive, Slot> end) {
        Slot after = end.apply(Drive.runner());
        assertThat(after.lastExit()).as("an exit was recorded").isNotNull();
        assertThat(after.lastExit().cause()).isNull();
    }

    static Stream<Arguments> uncounted() {
        return Stream.of(
                Arguments.of("ctl stop", (Function<Drive, Slot>) bot -> {
                    bot.in(ChildState.STOPPING);
                    return bot.on(new Event.Exited(bot.gen(), 0)).slot();
                }),
                Arguments.of("clean exit under on-failure", (Function<Drive, Slot>) bot -> {
                    bot.policy(RestartPolicy.ON_FAILURE).in(ChildState.RUNNING);
                    return bot.on(new Event.Exited(bot.gen(), 0)).slot();
                }));
    }

    @ParameterizedTest(name = "a command: bot exiting {0} is a crash")
    @MethodSource("commandCodes")
    void commandBotExitThreeIsACrashNotAnOom(int code) {
        Drive bot = Drive.command();
        bot.on(new Event.Control(Event.Command.START, "supervisor start"));
        long gen = bot.nextGen();
        bot.on(new Event.GateOpened(gen));
        assertThat(bot.on(new Event.Launched(gen, Drive.PID)).slot().state()).isEqualTo(ChildState.RUNNING);
        assertThat(bot.on(new Event.Exited(bot.gen(), code)).slot().lastExit().cause()).isEqualTo(ExitCause.CRASH);
    }

    static Stream<Integer> commandCodes() {
        return Stream.of(1, ExitCause.JVM_OOM_EXIT);
    }
}

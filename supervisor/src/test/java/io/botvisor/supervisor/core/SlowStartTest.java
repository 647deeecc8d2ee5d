package io.botvisor.supervisor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The SLOW_START row: a starter without READY keeps its start-gate place while it works and gives it up once it waits,
 * judged by its demand for CPU its /proc samples show (CPU used plus run-queue wait; 2 s between looks: 10 ticks = 5 %
 * of a core is working).
 */
class SlowStartTest {

    @Test
    void aStarterStillWantingCpuKeepsItsStartGatePlace() {
        Drive bot = Drive.runner().in(ChildState.STARTING);
        bot.on(new Event.ProcSample(bot.gen(), 80L << 20, false, 150));
        bot.advance(Rules.SLOW_START);
        Table.Step look = bot.on(new Event.TimerFired(Timer.SLOW_START, bot.gen()));
        assertThat(look.slot().holdsGate()).isTrue();
        assertThat(Drive.summary(look)).containsExactly("Arm:SLOW_START");
        bot.on(new Event.ProcSample(bot.gen(), 90L << 20, false, 160));
        bot.advance(Rules.SLOW_START);
        Table.Step again = bot.on(new Event.TimerFired(Timer.SLOW_START, bot.gen()));
        assertThat(again.slot().holdsGate()).as("10 ticks in 2 s: still working").isTrue();
        assertThat(Drive.summary(again)).containsExactly("Arm:SLOW_START");
    }

    @Test
    void aStarterThatStoppedWantingCpuGivesItsPlaceToTheNextBot() {
        Drive bot = Drive.runner().in(ChildState.STARTING);
        bot.on(new Event.ProcSample(bot.gen(), 80L << 20, false, 150));
        bot.advance(Rules.SLOW_START);
        bot.on(new Event.TimerFired(Timer.SLOW_START, bot.gen()));
        bot.on(new Event.ProcSample(bot.gen(), 80L << 20, false, 159));
        bot.advance(Rules.SLOW_START);
        Table.Step look = bot.on(new Event.TimerFired(Timer.SLOW_START, bot.gen()));
        assertThat(look.slot().holdsGate()).isFalse();
        assertThat(look.slot().state()).as("it goes on starting, only without a place").isEqualTo(ChildState.STARTING);
        assertThat(Drive.summary(look)).containsExactly("LeaveGate");
        assertThat(Drive.logs(look)).containsExactly("bot 'b' (pid 4242) has no READY yet and used or waited for 90 "
                + "ms of CPU in the last 2.0 s (waiting, not working); its start-gate place goes to the next bot");
        Table.Step later = bot.on(new Event.TimerFired(Timer.SLOW_START, bot.gen()));
        assertThat(Drive.summary(later)).as("nothing left to give back, nothing re-armed").isEmpty();
    }

    @Test
    void aStarterWhoseDemandForCpuIsNotKnownYetKeepsItsPlace() {
        Drive bot = Drive.runner().in(ChildState.STARTING);
        bot.on(new Event.ProcSample(bot.gen(), 80L << 20, false));
        bot.advance(Rules.SLOW_START);
        Table.Step look = bot.on(new Event.TimerFired(Timer.SLOW_START, bot.gen()));
        assertThat(look.slot().holdsGate()).isTrue();
        assertThat(Drive.summary(look)).containsExactly("Arm:SLOW_START");
    }

    @Test
    void aStarterWhoseLaunchIsStillInFlightKeepsItsPlace() {
        Drive bot = Drive.runner();
        bot.on(new Event.Control(Event.Command.START, "supervisor start"));
        long gen = bot.nextGen();
        bot.on(new Event.GateOpened(gen));
        bot.advance(Rules.SLOW_START);
        Table.Step look = bot.on(new Event.TimerFired(Timer.SLOW_START, gen));
        assertThat(look.slot().holdsGate()).isTrue();
        assertThat(Drive.summary(look)).containsExactly("Arm:SLOW_START");
    }

    @Test
    void aStarterThatSpinsIsStillKilledAtItsStartupDeadline() {
        Drive bot = Drive.runner().in(ChildState.STARTING);
        long ticks = 0;
        for (int i = 0; i < 5; i++) {
            ticks += 200;
            bot.on(new Event.ProcSample(bot.gen(), 80L << 20, false, ticks));
            bot.advance(Rules.SLOW_START);
            assertThat(bot.on(new Event.TimerFired(Timer.SLOW_START, bot.gen())).slot().holdsGate()).isTrue();
        }
        bot.advance(Duration.ofSeconds(20));
        Table.Step timeout = bot.on(new Event.TimerFired(Timer.STARTUP, bot.gen()));
        assertThat(timeout.slot().state()).isEqualTo(ChildState.STOPPING);
        assertThat(Drive.summary(timeout)).containsExactly("LeaveGate", "Signal:KILL_TREE");
    }
}

package io.botvisor.supervisor.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.Message;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Totals that survive a bot's restarts, and the figures of its current process, on a fixed clock. */
class TalliesTest {
    private static final long NOW_MILLIS = 1_700_000_000_000L;
    private final Tallies tallies = new Tallies(Clock.fixed(Instant.ofEpochMilli(NOW_MILLIS), ZoneOffset.UTC));
    private final Drive bot = Drive.runner();

    /** Feeds one event through the table and the tallies, as the supervisor's shell does. */
    private Slot on(Event e) {
        Slot before = bot.slot();
        Slot after = bot.on(e).slot();
        tallies.step("b", before, after);
        return after;
    }

    private void running() {
        on(new Event.Control(Event.Command.START, "supervisor start"));
        long gen = bot.nextGen();
        on(new Event.GateOpened(gen));
        on(new Event.Launched(gen, Drive.PID));
        on(new Event.Ready(gen, 250));
    }

    private void heartbeat(long gcMillis, Map<String, Long> counters) {
        on(new Event.Heartbeat(bot.gen(), new Message.Heartbeat(bot.gen(), 1, 10 << 20, 64 << 20, gcMillis, 1, 10, 0,
                true, "", counters, NOW_MILLIS)));
        tallies.heartbeat("b", bot.gen());
    }

    private BotStatus status() {
        return tallies.status(bot.slot(), 0);
    }

    @Test
    void countersAndGcOfAnEndedProcessStayInTheTotals() {
        running();
        heartbeat(300, Map.of("ticks", 40L, "db.poolOpen", 2L));
        on(new Event.Exited(bot.gen(), 137));
        bot.advance(java.time.Duration.ofSeconds(1));
        on(new Event.TimerFired(Timer.BACKOFF, 0));
        long gen = bot.nextGen();
        on(new Event.GateOpened(gen));
        on(new Event.Launched(gen, Drive.PID + 1));
        on(new Event.Ready(gen, 250));
        heartbeat(100, Map.of("ticks", 5L));
        BotStatus.Totals t = status().totals();
        assertThat(t.counters()).containsExactly(Map.entry("ticks", 45L));
        assertThat(t.gcSeconds()).isEqualTo(0.4);
        assertThat(t.exits().get(ExitCause.CRASH)).isEqualTo(1);
    }

    @Test
    void cpuOfAnEndedProcessStaysInTheTotal() {
        running();
        tallies.sample("b", bot.slot(), bot.gen(), 250);
        assertThat(status().totals().cpuSeconds()).isEqualTo(2.5);
        on(new Event.Exited(bot.gen(), 1));
        assertThat(status().totals().cpuSeconds()).isEqualTo(2.5);
    }

    @Test
    void sampleOfAProcessThatIsNoLongerCurrentIsIgnored() {
        running();
        long old = bot.gen();
        on(new Event.Exited(old, 1));
        tallies.sample("b", bot.slot(), old, 999);
        assertThat(status().totals().cpuSeconds()).isZero();
    }

    @Test
    void aCounterThatABotLowersIsNeverShownLower() {
        running();
        heartbeat(0, Map.of("ticks", 40L));
        assertThat(status().totals().counters()).containsEntry("ticks", 40L);
        heartbeat(0, Map.of("ticks", 10L));
        assertThat(status().totals().counters()).containsEntry("ticks", 40L);
    }

    @Test
    void currentProcessFiguresAreItsOwnAndNullBeforeItHasThem() {
        running();
        BotStatus before = status();
        assertThat(before.startTimeMillis()).isEqualTo(NOW_MILLIS);
        assertThat(before.lastHeartbeatMillis()).isNull();
        assertThat(before.heapUsedBytes()).isNull();
        assertThat(before.health()).as("no scored sample yet").isNull();
        heartbeat(0, Map.of());
        BotStatus after = status();
        assertThat(after.lastHeartbeatMillis()).isEqualTo(NOW_MILLIS);
        assertThat(after.heapUsedBytes()).isEqualTo(10 << 20);
        assertThat(after.heapMaxBytes()).isEqualTo(64 << 20);
    }

    @Test
    void stoppedBotHasNoPidStartTimeOrMemory() {
        running();
        on(new Event.ProcSample(bot.gen(), 50 << 20, false));
        assertThat(status().rssBytes()).isEqualTo(50 << 20);
        on(new Event.Control(Event.Command.STOP, "ctl stop"));
        on(new Event.Exited(bot.gen(), 0));
        BotStatus s = status();
        assertThat(s.state()).isEqualTo(ChildState.STOPPED);
        assertThat(s.pid()).isNull();
        assertThat(s.startTimeMillis()).isNull();
        assertThat(s.rssBytes()).isNull();
        assertThat(s.totals().exits().values()).as("an operator's stop counts against nothing").containsOnly(0L);
    }

    @Test
    void newCounterNamesPastTheCapAreLeftOut() {
        running();
        Map<String, Long> many = new HashMap<>();
        for (int i = 0; i < Tallies.MAX_NAMES; i++) {
            many.put("c" + i, 1L);
        }
        heartbeat(0, many);
        on(new Event.Exited(bot.gen(), 1));
        bot.advance(java.time.Duration.ofSeconds(1));
        on(new Event.TimerFired(Timer.BACKOFF, 0));
        long gen = bot.nextGen();
        on(new Event.GateOpened(gen));
        on(new Event.Launched(gen, Drive.PID + 1));
        on(new Event.Ready(gen, 250));
        heartbeat(0, Map.of("other", 1L, "c0", 1L));
        Map<String, Long> totals = status().totals().counters();
        assertThat(totals).hasSize(Tallies.MAX_NAMES).containsEntry("c0", 2L).doesNotContainKey("other");
    }
}

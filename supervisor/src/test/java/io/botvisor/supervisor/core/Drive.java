package io.botvisor.supervisor.core;

import io.botvisor.supervisor.config.RestartPolicy;
import io.botvisor.supervisor.config.Specs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drives one slot through {@link Table#decide} on a fake clock: builds a bot in any state the way the supervisor
 * would get there, and keeps what each step asked for. Test fixture; one test, one thread.
 */
final class Drive {
    static final long PID = 4242;
    private Specs.Bot spec;
    private Slot slot;
    private long nanos = 1_000_000_000L;
    private long gen = 100;
    private Table.Step last;
    private final Rules rules = new Rules(() -> 0.5); // no jitter spread: delays are exact

    private Drive(Specs.Bot spec) {
        this.spec = spec;
        this.slot = Slot.initial(spec, nanos);
    }

    static Drive runner() {
        return new Drive(bot(null));
    }

    /** A Telegram bot (its READY says it can hand over): a RUNNING one is restarted by handover. */
    static Drive telegram() {
        Specs.Bot b = bot(null);
        Drive d = new Drive(new Specs.Bot(b.id(), "echo", b.classpath(), b.command(), b.config(), b.restart(), b.health(),
                b.stopTimeout(), b.jvm(), b.memoryLimit(), b.env(), b.logs(), b.limits(),
                new Specs.Telegram("http://127.0.0.1:1", Duration.ofSeconds(25), List.of(), 4, Duration.ofSeconds(30),
                        "1/1s", "20/1m", "30/1s", "retry-once", "wait", "", 64L << 20)));
        d.handsOver = true;
        return d;
    }

    /** Its bot can hand over (a Telegram bot): a RUNNING one is restarted by handover. */
    private boolean handsOver;

    static Drive command() {
        return new Drive(bot(List.of("sleep", "60")));
    }

    static Specs.Bot bot(List<String> command) {
        return new Specs.Bot("b", command == null ? "chaos" : null, List.of(), command == null ? List.of() : command,
                Map.of(), new Specs.Restart(RestartPolicy.ALWAYS,
                        new Specs.Backoff(Duration.ofMillis(200), Duration.ofSeconds(60), 2.0, 0.2), 3,
                        Duration.ofSeconds(60), Duration.ofSeconds(60)),
                new Specs.Health(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(30), 50,
                        Duration.ofSeconds(30)),
                Duration.ofSeconds(10), new Specs.Jvm(64 << 20, List.of()), 0, Map.of(),
                new Specs.Logs(1 << 20, 3), new Specs.Limits(1024, 4096), null);
    }

    Drive policy(RestartPolicy p) {
        return with(new Specs.Bot(spec.id(), spec.runner(), spec.classpath(), spec.command(), spec.config(),
                new Specs.Restart(p, spec.restart().backoff(), spec.restart().maxRestarts(), spec.restart().window(),
                        spec.restart().resetAfter()), spec.health(), spec.stopTimeout(), spec.jvm(), spec.memoryLimit(),
                spec.env(), spec.logs(), spec.limits(), spec.telegram()));
    }

    Drive memoryLimit(long bytes) {
        return with(new Specs.Bot(spec.id(), spec.runner(), spec.classpath(), spec.command(), spec.config(),
                spec.restart(), spec.health(), spec.stopTimeout(), spec.jvm(), bytes, spec.env(), spec.logs(), spec.limits(), spec.telegram()));
    }

    private Drive with(Specs.Bot s) {
        this.spec = s;
        this.slot = Slot.initial(s, nanos);
        return this;
    }

    /** Brings the bot to {@code state} through the events that lead there in the supervisor. */
    Drive in(ChildState state) {
        switch (state) {
            case STOPPED -> {
            }
            case STARTING -> {
                on(new Event.Control(Event.Command.START, "supervisor start"));
                on(new Event.GateOpened(++gen));
                on(new Event.Launched(gen, PID));
            }
            case RUNNING -> {
                if (spec.isCommand()) {
                    // A command: bot is RUNNING once launched: it never rests in STARTING.
                    on(new Event.Control(Event.Command.START, "supervisor start"));
                    on(new Event.GateOpened(++gen));
                    on(new Event.Launched(gen, PID));
                } else {
                    in(ChildState.STARTING);
                    on(new Event.Ready(gen, 250, handsOver));
                }
            }
            case STOPPING -> {
                in(ChildState.RUNNING);
                on(new Event.Control(Event.Command.STOP, "ctl stop"));
            }
            case BACKOFF -> {
                in(ChildState.RUNNING);
                on(new Event.Exited(gen, 3));
            }
            case FAILED -> {
                policy(RestartPolicy.NEVER).in(ChildState.RUNNING);
                on(new Event.Exited(gen, 3));
                // Back to the usual policy: a FAILED bot then behaves as any other.
                slot = new Slot(bot(spec.command().isEmpty() ? null : spec.command()), slot.desired(),
                        slot.closing(), slot.state(), slot.sinceNanos(), slot.queued(), slot.holdsGate(),
                        slot.current(), slot.successor(), slot.restartTimes(), slot.backoffFailures(),
                        slot.restartsTotal(), slot.failedReason(), slot.lastExit(), slot.handover(),
                        slot.handoverFailure());
            }
            default -> throw new IllegalArgumentException(state.name());
        }
        if (slot.state() != state) {
            throw new IllegalStateException("fixture reached " + slot.state() + ", not " + state);
        }
        return this;
    }

    Table.Step on(Event e) {
        last = Table.decide(rules, slot, e, new Now(nanos, nanos / 1_000_000));
        slot = last.slot();
        return last;
    }

    void advance(Duration d) {
        nanos += d.toNanos();
    }

    long gen() {
        return gen;
    }

    long nextGen() {
        return ++gen;
    }

    Slot slot() {
        return slot;
    }

    /** The effects of a step without logs, cancels and state notices, as short names ("Signal:KILL_TREE"). */
    static List<String> summary(Table.Step step) {
        List<String> out = new ArrayList<>();
        for (Effect e : step.effects()) {
            if (e instanceof Effect.Log || e instanceof Effect.Cancel || e instanceof Effect.StateChanged) {
                continue;
            }
            if (e instanceof Effect.SignalTree s) {
                out.add("Signal:" + s.signal());
            } else if (e instanceof Effect.Arm a) {
                out.add("Arm:" + a.timer());
            } else {
                out.add(e.getClass().getSimpleName());
            }
        }
        return out;
    }

    /** The log lines of a step. */
    static List<String> logs(Table.Step step) {
        return step.effects().stream().filter(e -> e instanceof Effect.Log).map(e -> ((Effect.Log) e).text()).toList();
    }
}

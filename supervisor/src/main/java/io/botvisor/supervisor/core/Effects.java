package io.botvisor.supervisor.core;

import io.botvisor.ipc.Message;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.db.ConnectionBroker;
import io.botvisor.supervisor.logs.BotEvents;
import io.botvisor.supervisor.process.AsyncLauncher;
import io.botvisor.supervisor.process.ChildProcess;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out what {@link Table} decides, without blocking the loop: launches go to the launcher's thread, signals,
 * STOP and pool-grant writes and reaping to the child-io thread; timers and the start gate are the loop's own. Keeps
 * what the shell knows that no slot may hold: the processes by generation, the armed timers, the gate. Results come
 * back as events through {@link Shell#deliver}. Loop thread only.
 */
final class Effects {
    private static final Logger log = LoggerFactory.getLogger(Effects.class);
    /** A TAKEOVER is acted on however late it is read: the successor has nothing else to do. */
    private static final long TAKEOVER_EXPIRY_MILLIS = 60_000;

    /** What the effects need of the shell around them. */
    interface Shell {
        void deliver(String bot, Event event);

        /** Reads the bot's events queue now (before its exit is decided). */
        void readEvents(String bot);

        /** A decision changed {@code slot}'s state. */
        void stateChanged(Slot slot);
    }

    private final Shell shell;
    private final Loop loop;
    private final AsyncLauncher launcher;
    private final ChildIo io;
    private final Sampler sampler;
    private final Map<String, Slot> slots;
    private final Map<String, Link> links;
    private final Supplier<ConnectionBroker> connections;
    private final Clock wall;
    private final LongSupplier nanos;
    private final StartGate gate;
    private final Map<Long, ChildProcess> children = new HashMap<>();
    private final Map<String, EnumMap<Timer, Loop.Handle>> timers = new HashMap<>();
    private final java.security.SecureRandom generations = new java.security.SecureRandom();

    Effects(Shell shell, Loop loop, AsyncLauncher launcher, ChildIo io, Sampler sampler, Map<String, Slot> slots,
            Map<String, Link> links, Supplier<ConnectionBroker> connections, Clock wall, LongSupplier nanos,
            int startConcurrency) {
        this.shell = shell;
        this.loop = loop;
        this.launcher = launcher;
        this.io = io;
        this.sampler = sampler;
        this.slots = slots;
        this.links = links;
        this.connections = connections;
        this.wall = wall;
        this.nanos = nanos;
        this.gate = new StartGate(startConcurrency);
    }

    private ConnectionBroker connections() {
        return connections.get();
    }

    void apply(String bot, Slot slot, Effect effect) {
        if (effect instanceof Effect.Log l) {
            // Every decision's line is part of the bot's history: also in its events.log.
            org.slf4j.Marker history = BotEvents.of(bot);
            switch (l.level()) {
                case INFO -> log.info(history, l.text());
                case WARN -> log.warn(history, l.text());
                default -> log.error(history, l.text());
            }
        } else if (effect instanceof Effect.StateChanged c) {
            shell.stateChanged(slot);
            watchChildren(); // a starter's demand for CPU is sampled until its READY
        } else if (effect instanceof Effect.Launch l) {
            if (l.standby()) {
                connections().successorStarting(bot);
            }
            launch(bot, slot.spec(), l.gen(), l.standby());
        } else if (effect instanceof Effect.SignalTree s) {
            ChildProcess child = children.get(s.gen());
            if (child != null) {
                io.signal(bot, child, s.signal());
            }
        } else if (effect instanceof Effect.SendStop s) {
            ChildProcess child = children.get(s.gen());
            long now = wall.millis();
            long timeout = s.timeout().toMillis();
            if (child != null) {
                io.tell(bot, links.get(bot).commands, child,
                        new Message.Stop(s.gen(), s.reason(), timeout, now + timeout, now));
            }
        } else if (effect instanceof Effect.SendHandover h) {
            long now = wall.millis();
            long timeout = h.timeout().toMillis();
            tell(bot, h.gen(), new Message.Handover(h.gen(), timeout, now + timeout, now));
        } else if (effect instanceof Effect.SendTakeover t) {
            long now = wall.millis();
            tell(bot, t.gen(), new Message.Takeover(t.gen(), t.offset(), t.serve(), now + TAKEOVER_EXPIRY_MILLIS, now));
        } else if (effect instanceof Effect.Arm a) {
            arm(bot, a);
        } else if (effect instanceof Effect.Cancel c) {
            Loop.Handle h = timersOf(bot).remove(c.timer());
            if (h != null) {
                h.cancel();
            }
        } else if (effect instanceof Effect.JoinGate) {
            gate.enqueue(bot);
            gate.pump(this::openGate);
        } else if (effect instanceof Effect.LeaveGate) {
            gate.leave(bot);
            gate.pump(this::openGate);
        } else if (effect instanceof Effect.ChildStarted) {
            connections().childStarted(bot, nanos.getAsLong());
            watchChildren();
        } else if (effect instanceof Effect.ChildGone g) {
            ChildProcess child = children.remove(g.gen());
            if (child != null) {
                io.reap(bot, child);
                if (g.sweep()) {
                    launcher.sweep(bot);
                }
            }
            if (slot.current() == null) {
                connections().childGone(bot, nanos.getAsLong());
            } else {
                // A handover's predecessor (its successor is current now) or a successor that failed.
                connections().successorGone(bot);
            }
            watchChildren();
        } else {
            throw new IllegalArgumentException("unknown effect " + effect);
        }
    }

    private void openGate(String bot) {
        // Generations are unique across supervisor restarts (wall-clock based) so that a child never takes a command
        // meant for an earlier incarnation of its bot.
        // Unguessable: a bot that could guess another's generation could forge its READY and heartbeats.
        long gen = generations.nextLong() & Long.MAX_VALUE | 1;
        shell.deliver(bot, new Event.GateOpened(gen));
    }

    private void launch(String bot, Specs.Bot spec, long gen, boolean standby) {
        launcher.launch(spec, gen, standby, new AsyncLauncher.Reports() {
            @Override
            public void launched(ChildProcess child) {
                loop.post(() -> {
                    children.put(gen, child);
                    shell.deliver(bot, new Event.Launched(gen, child.pid()));
                });
            }

            @Override
            public void failed(String reason) {
                loop.post(() -> shell.deliver(bot, new Event.LaunchFailed(gen, reason)));
            }

            @Override
            public void exited(int code) {
                loop.post(() -> {
                    // What the child said last (why its start failed) is read before its exit is decided.
                    shell.readEvents(bot);
                    shell.deliver(bot, new Event.Exited(gen, code));
                });
            }
        });
    }

    private void arm(String bot, Effect.Arm a) {
        Loop.Handle old = timersOf(bot).remove(a.timer());
        if (old != null) {
            old.cancel();
        }
        Loop.Handle[] self = new Loop.Handle[1];
        self[0] = loop.at(a.delay().toNanos(), a.slack().toNanos(), () -> {
            timersOf(bot).remove(a.timer(), self[0]);
            if (a.timer() == Timer.HEARTBEAT) {
                // A deadline is judged on everything the child wrote so far, not on what the last tick read.
                shell.readEvents(bot);
            }
            shell.deliver(bot, new Event.TimerFired(a.timer(), a.gen()));
        });
        timersOf(bot).put(a.timer(), self[0]);
    }

    private EnumMap<Timer, Loop.Handle> timersOf(String bot) {
        return timers.computeIfAbsent(bot, b -> new EnumMap<>(Timer.class));
    }

    /** A bot that left the fleet (a reload): its timers are cancelled and it leaves the start gate. */
    void forget(String bot) {
        EnumMap<Timer, Loop.Handle> t = timers.remove(bot);
        if (t != null) {
            t.values().forEach(Loop.Handle::cancel);
        }
        gate.leave(bot);
        gate.pump(this::openGate);
    }

    void watchChildren() {
        List<Sampler.Watched> w = new ArrayList<>();
        slots.forEach((id, s) -> {
            if (s.current() != null && children.containsKey(s.current().gen())) {
                w.add(new Sampler.Watched(id, s.current().gen(), children.get(s.current().gen()),
                        s.state() == ChildState.STARTING));
            }
        });
        sampler.watch(w);
    }

    /**
     * Writes {@code command} to incarnation {@code gen}'s queue and rings its doorbell, on child-io; false when no
     * such process is known (launched, not yet gone).
     */
    boolean tell(String bot, long gen, Message command) {
        ChildProcess child = children.get(gen);
        Link link = links.get(bot);
        if (child == null || link == null) {
            return false;
        }
        io.tell(bot, link.commands, child, command);
        return true;
    }

    boolean grantPool(String bot, int maxConnections) {
        Slot s = slots.get(bot);
        if (s == null || s.state() != ChildState.RUNNING || s.spec().isCommand()) {
            return false;
        }
        long gen = s.current().gen();
        io.tell(bot, links.get(bot).commands, children.get(gen),
                new Message.PoolGrant(gen, maxConnections, wall.millis()));
        return true;
    }
}

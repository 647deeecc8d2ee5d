package io.botvisor.supervisor.core;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.ipc.Message;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.db.ConnectionBroker;
import io.botvisor.supervisor.process.AsyncLauncher;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell around the decision {@link Table}: it owns every bot's {@link Slot}, turns what happens (exits, launch
 * results, child messages, samples, timers, control commands) into {@link Event}s, and carries out the
 * {@link Effect}s each decision returns — launches on the launcher's thread, signals and pipe writes on the child-io
 * thread, /proc reads on the sampler's — so that its own thread, the {@link Loop}, never blocks. The bots' events
 * queues, which bots can tamper with, are read through an {@link EventsGuard}: a read that hangs is ended by its
 * watchdog, and one that faults, hangs or crawls becomes an event that kills the bot.
 * <p>Threads: {@link #execute}, {@link #shutdown}, {@link #awaitTermination}, {@link #lag} and {@link #start} are safe
 * from any thread; every other method must be called on the loop (control requests run there through
 * {@link #execute}). An exception in a decision is a bug: it is logged with the bot, its state and the event, and the
 * process exits with {@link #EXIT_BUG} rather than go on in a state nobody can explain (systemd restarts it; the
 * children see their stdin close and exit with it).
 */
public final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    /** The exit code of a supervisor that stopped on a bug in itself (sysexits.h EX_SOFTWARE). */
    public static final int EXIT_BUG = 70;

    private final Specs.Fleet fleet;
    private final AsyncLauncher launcher;
    private final IpcLayout layout;
    private final Clock wall;
    private final LongSupplier nanos;
    private final Rules rules = new Rules(() -> ThreadLocalRandom.current().nextDouble());
    private final Loop loop;
    private final ChildIo io = new ChildIo();
    private final Sampler sampler = new Sampler();
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Map<String, Link> links = new HashMap<>();
    private final Tallies tallies;
    private final Effects effects;
    private final ArrayDeque<Runnable> pendingEvents = new ArrayDeque<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final List<Runnable> stateListeners = new ArrayList<>();
    private final List<Runnable> pollHooks = new ArrayList<>();
    private final Ticker ticker;
    private final EventsGuard guard;
    private final ChildCommands childCommands;
    private final FleetChanges changes;
    private ConnectionBroker connections = ConnectionBroker.none();
    private boolean draining;
    private boolean stateChanged;
    private boolean shuttingDown;

    public Supervisor(Specs.Fleet fleet, AsyncLauncher launcher, IpcLayout layout, Clock wall, LongSupplier nanos) {
        this(fleet, launcher, layout, wall, nanos, Supervisor::crash);
    }

    Supervisor(Specs.Fleet fleet, AsyncLauncher launcher, IpcLayout layout, Clock wall, LongSupplier nanos,
               Consumer<Throwable> onCrash) {
        this.fleet = fleet;
        this.launcher = launcher;
        this.layout = layout;
        this.wall = wall;
        this.nanos = nanos;
        this.loop = new Loop(onCrash);
        this.tallies = new Tallies(wall);
        this.guard = new EventsGuard(layout, loop::post, launcher::inOrder, nanos);
        this.effects = new Effects(new Effects.Shell() {
            @Override
            public void deliver(String bot, Event event) {
                Supervisor.this.deliver(bot, event);
            }

            @Override
            public void readEvents(String bot) {
                Supervisor.this.readEvents(bot);
            }

            @Override
            public void stateChanged(Slot slot) {
                stateChanged = true;
                if (slot.inTransit()) {
                    ticker.hurry();
                }
            }
        }, loop, launcher, io, sampler, slots, links, () -> connections, wall, nanos, fleet.startConcurrency());
        this.ticker = new Ticker(loop, this::tick, () -> slots.values().stream().anyMatch(Slot::inTransit));
        long now = nanos.getAsLong();
        fleet.bots().forEach(b -> slots.put(b.id(), Slot.initial(b, now)));
        this.childCommands = new ChildCommands(slots, loop, wall, effects::tell);
        this.changes = new FleetChanges(layout, slots, links, effects, tallies, nanos, this::deliver);
        stateListeners.add(childCommands::checkRunning);
    }

    /**
     * Opens every bot-runner bot's queues (here, on the caller's thread: a failure is a failed start of the
     * supervisor, thrown as {@link SupervisorException}), then starts the loop, the fleet (bounded by
     * startConcurrency) and the periodic work.
     */
    public void start() {
        try {
            for (Specs.Bot b : fleet.bots()) {
                if (!b.isCommand()) {
                    EventsGuard.clearAtStart(layout.events(b.id()));
                    links.put(b.id(), new Link(layout, b.id()));
                }
            }
        } catch (RuntimeException e) {
            // UncheckedIOException included: an events directory that cannot be opened to be cleared.
            links.values().forEach(Link::close);
            throw new SupervisorException("cannot open the bots' queues: " + e.getMessage(), e);
        }
        guard.start();
        loop.start();
        loop.post(() -> {
            log.info("supervising {} bots (start concurrency {})", slots.size(), fleet.startConcurrency());
            ticker.start();
            sampler.start(results -> loop.offer(() -> onSamples(results)));
            slots.keySet().forEach(id -> deliver(id, new Event.Control(Event.Command.START, "supervisor start")));
        });
    }

    /**
     * Lends the fleet's connection budget through {@code broker} while bots run (call before {@link #start}): it
     * hears of every launch, exit and heartbeat, decides on every tick, and its grants go to children on child-io.
     */
    public void lendConnections(ConnectionBroker broker) {
        this.connections = broker;
        broker.deliverThrough(effects::grantPool);
    }

    /** The connection budget's state (call on the loop), or null when the fleet has no database. */
    public ConnectionBroker.View connections() {
        return connections.lends() ? connections.view() : null;
    }

    /** Runs {@code task} on the loop; control requests use this. */
    public void execute(Runnable task) {
        loop.post(task);
    }

    /** Called on the loop after every decision that changed a bot's state (control answers commands with it). */
    public void onStateChange(Runnable listener) {
        execute(() -> stateListeners.add(listener));
    }

    /** Undoes {@link #onStateChange}. Loop only. */
    public void removeStateListener(Runnable listener) {
        stateListeners.remove(listener);
    }

    /** Adds work to every IPC tick (control requests); call before {@link #start}. */
    public void addPollHook(Runnable hook) {
        pollHooks.add(hook);
    }

    /** The loop's lag so far (any thread). */
    public LagRecorder.Snapshot lag() {
        return loop.lag();
    }

    // ---- events in, effects out ----------------------------------------------------------------------------------

    /** Decides {@code event} for {@code bot}, and everything that follows from it, before returning. Loop only. */
    private void deliver(String bot, Event event) {
        pendingEvents.add(() -> decide(bot, event));
        if (draining) {
            return;
        }
        draining = true;
        try {
            Runnable next;
            while ((next = pendingEvents.poll()) != null) {
                next.run();
            }
        } finally {
            draining = false;
        }
        if (stateChanged) {
            stateChanged = false;
            changes.forgetLeavers();
            stateListeners.forEach(Runnable::run);
            if (shuttingDown) {
                finishShutdownIfDone();
            }
        }
    }

    private void decide(String bot, Event event) {
        Slot slot = slots.get(bot);
        if (slot == null) {
            // A bot a reload removed: what was still in flight for it (a stale timer, a late report) finds no slot.
            log.debug("event for bot '{}', which is no longer in the fleet: {}", bot, event);
            return;
        }
        Table.Step step;
        try {
            step = Table.decide(rules, slot, event, new Now(nanos.getAsLong(), wall.millis()));
        } catch (RuntimeException e) {
            throw new IllegalStateException("decision failed for bot '" + bot + "' in state " + slot.state()
                    + " on " + event + ": " + e, e);
        }
        slots.put(bot, step.slot());
        tallies.step(bot, slot, step.slot());
        if (!java.util.Objects.equals(slot.handover(), step.slot().handover())) {
            // A handover's phases keep the bot RUNNING: whoever waits on a state change (ctl, reload) hears of them.
            stateChanged = true;
        }
        if (guard.quarantined(bot) && step.effects().stream().anyMatch(e -> e instanceof Effect.Launch)) {
            guard.beforeLaunch(bot, links.get(bot));
        }
        step.effects().forEach(effect -> effects.apply(bot, step.slot(), effect));
    }

    private void onSamples(List<Sampler.Result> results) {
        for (Sampler.Result r : results) {
            // The health score a sample recomputes counts a heartbeat's lateness: read what the child wrote first.
            readEvents(r.bot());
            Slot slot = slots.get(r.bot());
            if (slot == null) {
                continue; // sampled before a reload removed the bot
            }
            tallies.sample(r.bot(), slot, r.gen(), r.cpuTicks());
            deliver(r.bot(), new Event.ProcSample(r.gen(), r.rssBytes(), r.stopped(), r.demandTicks()));
        }
    }

    // ---- messages from children ------------------------------------------------------------------------------------

    /** One tick: every bot's messages, then control, then the connection budget. */
    private void tick() {
        links.keySet().forEach(this::readEvents);
        pollHooks.forEach(Runnable::run);
        connections.rebalance(nanos.getAsLong());
    }

    private void readEvents(String bot) {
        Link link = links.get(bot);
        if (link == null || terminated.getCount() == 0) {
            return;
        }
        String tampered = guard.read(bot, link, m -> onChildMessage(bot, m));
        if (tampered != null) {
            Slot s = slots.get(bot);
            deliver(bot, new Event.EventsTampered(s.current() == null ? 0 : s.current().gen(), tampered));
        }
    }

    private void onChildMessage(String bot, Message m) {
        if (m instanceof Message.Ready r) {
            deliver(bot, new Event.Ready(r.gen(), r.startupMillis(), r.handsOver()));
        } else if (m instanceof Message.Heartbeat h) {
            deliver(bot, new Event.Heartbeat(h.gen(), h));
            Slot s = slots.get(bot);
            if (s != null && s.isCurrent(h.gen())) {
                tallies.heartbeat(bot, h.gen());
                connections.onUsage(bot, h.counters(), nanos.getAsLong());
            }
        } else if (m instanceof Message.HandedOver h) {
            deliver(bot, new Event.HandedOver(h.gen(), h.offset()));
        } else if (m instanceof Message.Event e) {
            deliver(bot, new Event.ChildEvent(e.gen(), e.kind(), e.detail()));
        } else if (m instanceof Message.CommandReply r) {
            childCommands.onReply(bot, r);
        }
    }

    // ---- operator actions (call on the loop) -------------------------------------------------------------------

    /** The operator's commands to running bot-runner bots (log level, thread dump, new config); loop only. */
    public ChildCommands childCommands() {
        return childCommands;
    }

    /** The bots' ids in fleet-file order. */
    public List<String> botIds() {
        return List.copyOf(slots.keySet());
    }

    public boolean hasBot(String id) {
        return slots.containsKey(id);
    }

    /** Snapshots of every bot, in fleet-file order. */
    public List<BotStatus> status() {
        long now = nanos.getAsLong();
        return slots.values().stream().map(s -> tallies.status(s, now)).toList();
    }

    /** The bot's state, or null for a bot not (or no longer) in the fleet. */
    public ChildState state(String id) {
        Slot s = slots.get(id);
        return s == null ? null : s.state();
    }

    /** Whether the bot got where it was last sent (see {@link Slot#settled}); a bot no longer in the fleet has. */
    public boolean settled(String id) {
        Slot s = slots.get(id);
        return s == null || s.settled();
    }

    /** Whether the bot's first start is behind it (see {@link Slot#pastFirstStart}): what systemd's READY waits for. */
    public boolean pastFirstStart(String id) {
        return slots.get(id).pastFirstStart();
    }

    /** Whether the bot is wanted running (its last command was start or restart, or none). */
    public boolean wantedUp(String id) {
        Slot s = slots.get(id);
        return s != null && s.desired() == Slot.Desired.UP;
    }

    /** Starts a stopped, failed or backing-off bot; a FAILED bot's restart intensity and backoff start over. */
    public void startBot(String id) {
        deliver(id, new Event.Control(Event.Command.START, "ctl start"));
    }

    public void stopBot(String id, String reason) {
        deliver(id, new Event.Control(Event.Command.STOP, reason));
    }

    /**
     * Restarts a bot: a RUNNING Telegram bot hands over to a new process without a gap, unless {@code cold}; any other
     * is stopped and started.
     */
    public void restartBot(String id, String reason, boolean cold) {
        deliver(id, new Event.Control(cold ? Event.Command.RESTART_COLD : Event.Command.RESTART, reason));
    }

    /** Why the bot's last restart by handover failed (its process kept serving), or null. Loop only. */
    public String handoverFailure(String id) {
        Slot s = slots.get(id);
        return s == null ? null : s.handoverFailure();
    }

    // ---- reload (see io.botvisor.supervisor.reload.Reloader; the work is FleetChanges') ------------------------

    /** See {@link FleetChanges#openQueues}. Any thread but the loop. */
    public void openQueues(List<Specs.Bot> bots) {
        changes.openQueues(bots);
    }

    /** See {@link FleetChanges#addBot}. Loop only. */
    public void addBot(Specs.Bot spec, String reason) {
        changes.addBot(spec, reason);
    }

    /** See {@link FleetChanges#respec}. Loop only. */
    public void respec(Specs.Bot spec, boolean restart, String reason) {
        changes.respec(spec, restart, reason);
    }

    /** See {@link FleetChanges#removeBot}. Loop only. */
    public void removeBot(String id, String reason, Runnable whenGone) {
        changes.removeBot(id, reason, whenGone);
    }

    /** Stops every bot in parallel; {@link #awaitTermination} returns once all are down. Any thread. */
    public void shutdown(String reason) {
        execute(() -> {
            if (shuttingDown) {
                return;
            }
            shuttingDown = true;
            log.info("shutting down: {}; stopping {} bots", reason, slots.size());
            slots.keySet().forEach(id -> deliver(id, new Event.Shutdown(reason)));
            finishShutdownIfDone();
        });
    }

    private void finishShutdownIfDone() {
        if (terminated.getCount() == 0
                || slots.values().stream().anyMatch(s -> s.current() != null || s.successor() != null)) {
            return;
        }
        guard.close();
        links.values().forEach(Link::close);
        sampler.close();
        io.close();
        launcher.close();
        log.info("all bots stopped");
        terminated.countDown();
        loop.shutdown();
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A bug in the supervisor: say what, where, and exit; children follow (their stdin closes). */
    private static void crash(Throwable e) {
        log.error("supervisor: internal error, exiting with {} so that it is restarted clean: {}", EXIT_BUG,
                e.toString(), e);
        System.err.println("botvisor: internal error: " + e + "; exiting with " + EXIT_BUG);
        org.slf4j.ILoggerFactory f = LoggerFactory.getILoggerFactory();
        if (f instanceof ch.qos.logback.classic.LoggerContext ctx) {
            ctx.stop();
        }
        Runtime.getRuntime().halt(EXIT_BUG);
    }
}

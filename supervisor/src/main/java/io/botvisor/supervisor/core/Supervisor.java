package io.botvisor.supervisor.core;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.Units;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.config.RestartPolicy;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.db.ConnectionBroker;
import io.botvisor.supervisor.policy.Backoff;
import io.botvisor.supervisor.policy.RestartIntensity;
import io.botvisor.supervisor.process.ChildLauncher;
import io.botvisor.supervisor.process.ChildProcess;
import io.botvisor.supervisor.process.ExitStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides. One thread, the loop, owns every {@link BotSlot}; process exits, IPC messages and timers arrive as tasks on
 * it, and nothing on it blocks or sleeps. All state changes go through {@link #transition}. Public methods are safe
 * from any thread: they hand their work to the loop.
 */
public final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    /** Memory and health sampling period (the issue asks for memory sampled at least every second). */
    static final Duration SAMPLE = Duration.ofSeconds(1);

    private final Specs.Fleet fleet;
    private final ChildLauncher launcher;
    private final IpcLayout layout;
    private final Clock wall;
    private final LongSupplier nanos;
    private final Loop loop = new Loop();
    private final Checks checks = new Checks(this::beginStop);
    private final Map<String, BotSlot> slots = new LinkedHashMap<>();
    private final StartGate gate;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final List<Runnable> stateListeners = new ArrayList<>();
    private final List<Runnable> pollHooks = new ArrayList<>();
    private final Ticker ticker = new Ticker(loop, this::tick,
            () -> slots.values().stream().anyMatch(BotSlot::inTransit));
    private long genCounter;
    private boolean shuttingDown;
    private ConnectionBroker connections = ConnectionBroker.none();

    public Supervisor(Specs.Fleet fleet, ChildLauncher launcher, IpcLayout layout, Clock wall, LongSupplier nanos) {
        this.fleet = fleet;
        this.launcher = launcher;
        this.layout = layout;
        this.wall = wall;
        this.nanos = nanos;
        this.gate = new StartGate(fleet.startConcurrency());
        for (Specs.Bot b : fleet.bots()) {
            slots.put(b.id(), new BotSlot(b,
                    new Backoff(b.restart().backoff(), b.restart().resetAfter(), ThreadLocalRandom.current()::nextDouble),
                    new RestartIntensity(b.restart().maxRestarts(), b.restart().window())));
        }
    }

    /** Opens every bot's queues, starts the fleet (bounded by startConcurrency) and the periodic checks. */
    public void start() {
        loop.execute(() -> {
            slots.values().forEach(s -> s.openQueues(layout));
            log.info("supervising {} bots (start concurrency {})", slots.size(), fleet.startConcurrency());
            slots.values().forEach(gate::enqueue);
            gate.pump(this::spawn);
            ticker.start();
            loop.every(SAMPLE, () -> checks.sample(slots.values(), nanos.getAsLong()));
        });
    }

    /**
     * Lends the fleet's connection budget through {@code broker} while bots run (call before {@link #start}): it
     * hears of every spawn, exit and heartbeat, decides on every tick, and sends its grants to the children.
     */
    public void lendConnections(ConnectionBroker broker) {
        this.connections = broker;
        broker.deliverThrough((bot, max) -> slots.containsKey(bot) && slots.get(bot).grantPool(max, wall.millis()));
    }

    /** The connection budget's state (call on the loop), or null when the fleet has no database. */
    public ConnectionBroker.View connections() {
        return connections.lends() ? connections.view() : null;
    }

    /** Runs {@code task} on the loop; control requests use this. */
    public void execute(Runnable task) {
        loop.execute(task);
    }

    private void after(BotSlot s, Duration delay, Runnable task) {
        loop.after(s.timers, delay, task);
    }

    // ---- transitions ---------------------------------------------------------------------------------------------

    private void transition(BotSlot s, ChildState to) {
        ChildState.check(s.id(), s.state, to);
        s.state = to;
        s.stateSinceNanos = nanos.getAsLong();
        if (s.inTransit()) {
            ticker.hurry();
        }
        stateListeners.forEach(Runnable::run);
    }

    /** Called on the loop after every transition (control uses it to answer commands that wait for a state). */
    public void onStateChange(Runnable listener) {
        execute(() -> stateListeners.add(listener));
    }

    private void spawn(BotSlot s) {
        if (shuttingDown || !(s.state == ChildState.STOPPED || s.state == ChildState.BACKOFF
                || s.state == ChildState.FAILED)) {
            return;
        }
        s.cancelTimers();
        transition(s, ChildState.STARTING);
        s.resetHealth(nanos.getAsLong());
        s.stopIntent = null;
        long gen = wall.millis() * 1000 + (genCounter++ % 1000);
        ChildProcess child;
        try {
            child = launcher.launch(s.spec, gen, code -> execute(() -> onExit(s, gen, code)));
        } catch (SupervisorException e) {
            log.error("bot '{}' could not be launched: {}", s.id(), e.getMessage());
            handleFailure(s, new ExitStatus(-1), -1, "launch failed: " + e.getMessage());
            return;
        }
        s.child = child;
        connections.childStarted(s.id(), nanos.getAsLong());
        if (s.spec.isCommand()) {
            transition(s, ChildState.RUNNING);
            log.info("bot '{}' is RUNNING (pid {}; a command: bot is running once spawned)", s.id(), child.pid());
            return;
        }
        gate.hold(s);
        after(s, StartGate.SLOW_START, () -> releaseGate(s));
        Duration startup = s.spec.health().startupTimeout();
        after(s, startup, () -> {
            if (s.child == child && s.state == ChildState.STARTING) {
                log.warn("bot '{}' (pid {}) sent no READY within {}; killing its process tree", s.id(), child.pid(),
                        Units.seconds(startup));
                beginStop(s, StopIntent.failure("no READY within " + Units.seconds(startup)), false);
            }
        });
    }

    private void releaseGate(BotSlot s) {
        if (gate.release(s)) {
            gate.pump(this::spawn);
        }
    }

    private void onExit(BotSlot s, long gen, int code) {
        ChildProcess child = s.child;
        if (child == null || child.gen() != gen) {
            return;
        }
        child.reapLeftovers();
        s.cancelTimers();
        s.child = null;
        connections.childGone(s.id(), nanos.getAsLong());
        releaseGate(s);
        ExitStatus status = new ExitStatus(code);
        StopIntent intent = s.stopIntent;
        s.stopIntent = null;
        if (intent == null || intent.kind() == StopIntent.Kind.FAILURE) {
            if (shuttingDown) {
                record(s, status, "exited during shutdown");
                transition(s, ChildState.STOPPED);
            } else {
                handleFailure(s, status, child.pid(), intent == null ? null : intent.reason());
            }
        } else {
            record(s, status, intent.reason());
            log.info("bot '{}' stopped [pid {}, exit {}]: {}", s.id(), child.pid(), status.describe(), intent.reason());
            transition(s, ChildState.STOPPED);
            if (intent.kind() == StopIntent.Kind.RESTART && !shuttingDown) {
                gate.enqueue(s);
                gate.pump(this::spawn);
            }
        }
        if (shuttingDown) {
            finishShutdownIfDone();
        }
    }

    /** An exit nobody asked for, or a kill for cause: restart with backoff, or give up. The one place that decides. */
    private void handleFailure(BotSlot s, ExitStatus status, long pid, String killedFor) {
        String what = "exited with " + status.describe() + " [pid " + pid
                + (killedFor == null ? "" : ", killed: " + killedFor) + "]";
        record(s, status, killedFor == null ? "exited with " + status.describe() : killedFor);
        RestartPolicy policy = s.spec.restart().policy();
        if (policy == RestartPolicy.NEVER) {
            fail(s, "bot '" + s.id() + "' " + what + "; restart policy is never");
            return;
        }
        if (policy == RestartPolicy.ON_FAILURE && status.clean() && killedFor == null) {
            log.info("bot '{}' {}; restart policy on-failure leaves it STOPPED", s.id(), what);
            transition(s, ChildState.STOPPED);
            return;
        }
        long now = nanos.getAsLong();
        RestartIntensity ri = s.intensity;
        if (ri.addRestart(now)) {
            fail(s, "bot '" + s.id() + "' " + what + "; giving up: more than " + ri.maxRestarts() + " restarts in "
                    + ri.window().toSeconds() + " s; FAILED until 'botvisor ctl start " + s.id() + "'");
            return;
        }
        Duration delay = s.backoff.next();
        s.restartsTotal++;
        log.warn("bot '{}' {}; restarting in {} (restart {} of {} in {})", s.id(), what, Units.seconds(delay),
                ri.inWindow(now), ri.maxRestarts(), ri.window().toSeconds() + " s");
        transition(s, ChildState.BACKOFF);
        after(s, delay, () -> {
            if (s.state == ChildState.BACKOFF) {
                gate.enqueue(s);
                gate.pump(this::spawn);
            }
        });
    }

    private void fail(BotSlot s, String message) {
        log.error(message);
        s.failedReason = message;
        transition(s, ChildState.FAILED);
    }

    private void record(BotSlot s, ExitStatus status, String reason) {
        s.lastExit = new LastExit(status.code(), status.signal(), reason, wall.instant());
    }

    /**
     * Ends a child. Graceful: STOP over IPC to a running bot-runner child (SIGTERM to anything else), then after
     * stopTimeout SIGTERM to the whole tree, then SIGKILL. Not graceful (a hang): SIGKILL to the tree at once.
     */
    private void beginStop(BotSlot s, StopIntent intent, boolean graceful) {
        gate.remove(s);
        switch (s.state) {
            case STOPPED, FAILED -> {
                return;
            }
            case BACKOFF -> {
                s.cancelTimers();
                transition(s, ChildState.STOPPED);
                return;
            }
            case STOPPING -> {
                if (intent.kind() == StopIntent.Kind.STOP) {
                    s.stopIntent = intent;
                }
                if (!graceful) {
                    s.child.killTree();
                }
                return;
            }
            default -> {
            }
        }
        ChildProcess child = s.child;
        boolean wasRunning = s.state == ChildState.RUNNING;
        transition(s, ChildState.STOPPING);
        s.stopIntent = intent;
        if (!graceful) {
            child.killTree();
            return;
        }
        Duration timeout = s.spec.stopTimeout();
        if (!s.spec.isCommand() && wasRunning) {
            long now = wall.millis();
            s.tell(gen -> new Message.Stop(gen, intent.reason(), timeout.toMillis(), now + timeout.toMillis(), now));
        } else {
            child.terminateRoot();
        }
        Escalation.schedule(loop, s, child, timeout);
    }

    // ---- messages from children -------------------------------------------------------------------------------------------

    /** One tick: every bot's messages and control, then hangs (so a heartbeat that was waiting counts first). */
    private void tick() {
        for (BotSlot s : slots.values()) {
            if (s.events != null) {
                s.events.poll(64, m -> onChildMessage(s, m));
            }
        }
        pollHooks.forEach(Runnable::run);
        checks.hangs(slots.values(), nanos.getAsLong());
        connections.rebalance(nanos.getAsLong());
    }

    /** Adds work to every IPC poll (control requests); call before {@link #start}. */
    public void addPollHook(Runnable hook) {
        pollHooks.add(hook);
    }

    private void onChildMessage(BotSlot s, Message m) {
        ChildProcess child = s.child;
        long now = nanos.getAsLong();
        if (m instanceof Message.Ready r && child != null && r.gen() == child.gen()) {
            if (s.state == ChildState.STARTING) {
                s.cancelTimers();
                s.lastHeartbeatNanos = now;
                transition(s, ChildState.RUNNING);
                releaseGate(s);
                log.info("bot '{}' is RUNNING [pid {}, ready {} ms after JVM start]", s.id(), r.pid(),
                        r.startupMillis());
            }
        } else if (m instanceof Message.Heartbeat h && child != null && h.gen() == child.gen()) {
            HealthTracker.onHeartbeat(s, h, now);
            connections.onUsage(s.id(), h.counters(), now);
        } else if (m instanceof Message.Event e && child != null && e.gen() == child.gen()) {
            log.info("bot '{}' [pid {}] {}: {}", s.id(), child.pid(), e.kind(), e.detail());
        }
    }

    // ---- operator actions (call on the loop) ---------------------------------------------------------------------

    /** The bots' ids in fleet-file order. */
    public List<String> botIds() {
        return List.copyOf(slots.keySet());
    }

    public boolean hasBot(String id) {
        return slots.containsKey(id);
    }

    /** Snapshots of every bot, in fleet-file order; call on the loop. */
    public List<BotStatus> status() {
        long now = nanos.getAsLong();
        return slots.values().stream().map(s -> s.status(now)).toList();
    }

    public ChildState state(String id) {
        return slots.get(id).state;
    }

    /** Starts a stopped, failed or backing-off bot; a FAILED bot's restart intensity and backoff start over. */
    public void startBot(String id) {
        BotSlot s = slots.get(id);
        if (shuttingDown) {
            return;
        }
        if (s.state == ChildState.FAILED) {
            s.intensity.clear();
            s.backoff.reset();
            s.failedReason = null;
        }
        if (s.state == ChildState.STOPPED || s.state == ChildState.FAILED || s.state == ChildState.BACKOFF) {
            gate.enqueue(s);
            gate.pump(this::spawn);
        }
    }

    public void stopBot(String id, String reason) {
        beginStop(slots.get(id), StopIntent.stop(reason), true);
    }

    public void restartBot(String id, String reason) {
        BotSlot s = slots.get(id);
        if (s.state.hasProcess()) {
            beginStop(s, StopIntent.restart(reason), true);
        } else {
            startBot(id);
        }
    }

    /** Stops every bot in parallel; {@link #awaitTermination} returns once all are down. */
    public void shutdown(String reason) {
        execute(() -> {
            if (shuttingDown) {
                return;
            }
            shuttingDown = true;
            log.info("shutting down: {}; stopping {} bots", reason, slots.size());
            for (BotSlot s : slots.values()) {
                gate.remove(s);
                beginStop(s, StopIntent.stop(reason), true);
            }
            finishShutdownIfDone();
        });
    }

    private void finishShutdownIfDone() {
        if (slots.values().stream().anyMatch(s -> s.state.hasProcess())) {
            return;
        }
        slots.values().forEach(BotSlot::closeQueues);
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
}

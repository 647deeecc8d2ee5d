package io.botvisor.supervisor.core;

import io.botvisor.ipc.ChildExit;
import io.botvisor.ipc.Printable;
import io.botvisor.ipc.Units;
import io.botvisor.supervisor.process.ExitStatus;
import io.botvisor.supervisor.process.ProcStats;
import java.time.Duration;
import java.util.List;

/**
 * Every decision about one bot: {@code decide(slot, event, now) → (next slot, effects)}. Pure: no I/O, no clock, no
 * threads; the shell ({@link Supervisor}) feeds it events and carries out its effects. One row per event; in each
 * row, what each state does ("-": nothing; "stale": an event of an incarnation the slot no longer has is ignored).
 * <pre>
 * event          | STOPPED        | STARTING           | RUNNING             | STOPPING           | BACKOFF        | FAILED
 * ---------------+----------------+--------------------+---------------------+--------------------+----------------+-------------
 * ctl start      | queue          | -                  | -                   | want UP: start     | queue now      | counts reset,
 *                |                |                    |                     | again after exit   | (delay skipped)| STOPPED, queue
 * ctl stop       | want DOWN      | stop: SIGTERM child| stop: STOP over IPC | want DOWN          | STOPPED        | want DOWN
 *                | (leave queue)  | (command: same)    | (command: SIGTERM)  |                    |                |
 * ctl restart    | = start        | stop, want UP      | stop, want UP       | want UP            | = start        | = start
 * respec (reload)| new spec; wanted up and restart: as ctl restart, the stop under the old spec; else only the spec
 * shutdown       | want DOWN      | stop               | stop                | want DOWN          | STOPPED        | want DOWN
 * gate opened    | launch         | give back          | give back           | give back          | launch         | give back
 *                | → STARTING     |                    |                     |                    | → STARTING     |
 * launched       | stray: kill    | pid known; command:| stray: kill         | pid known: signal  | stray: kill    | stray: kill
 *                |                | → RUNNING          |                     | as the stop says   |                |
 * launch failed  | -              | failure            | -                   | after stop         | -              | -
 * exited         | stale          | exit 78: FAILED at | failure             | after stop         | stale          | stale
 *                |                | once; else failure |                     |                    |                |
 * ready          | stale          | → RUNNING          | -                   | -                  | stale          | stale
 * heartbeat      | stale          | health             | health              | health             | stale          | stale
 * child event    | stale          | log; remember the cause of a failed start or heartbeat, any state of the incarnation
 * /proc sample   | stale          | memory             | stopped 2×: kill; memory/health bad: | memory | stale          | stale
 *                |                |                    | restart; healthy long enough: backoff starts over
 * queue tampered | stale          | kill (failure)     | kill (failure)      | kill (failure)     | stale          | stale
 * STARTUP        |                | kill (failure)     |                     |                    |                |
 * SLOW_START     |                | idle: give gate    |                     |                    |                |
 *                |                | back; else re-arm  |                     |                    |                |
 * HEARTBEAT      |                |                    | overdue: kill;      |                    |                |
 *                |                |                    | else re-arm         |                    |                |
 * BACKOFF        |                |                    |                     |                    | queue          |
 * STOP_TIMEOUT   |                |                    |                     | SIGTERM tree,      |                |
 *                |                |                    |                     | arm KILL_GRACE     |                |
 * KILL_GRACE     |                |                    |                     | SIGKILL tree       |                |
 * </pre>
 * <b>failure</b>: restart policy {@code never} → FAILED; {@code on-failure} and a clean exit nobody asked for →
 * STOPPED; else one more restart in the intensity window: over maxRestarts → FAILED, otherwise BACKOFF for the next
 * backoff delay. <b>after stop</b>: wanted DOWN → STOPPED; a stop for cause (hang, memory, health) → failure; a
 * restart → STOPPED and queued to start. <b>queue</b>: wait for a start-gate place (the state does not change until
 * the gate opens). A stop of a child whose launch is still in flight waits for its pid. Timers not listed for a state
 * are cancelled on leaving the state that armed them, so they fire there as stale, and change nothing.
 */
final class Table extends Handovers {
    /** A decision: the slot after the event, and what the shell must do, in order. Immutable. */
    record Step(Slot slot, List<Effect> effects) {
        Step {
            effects = List.copyOf(effects);
        }
    }

    private Table(Rules rules, Slot slot, Now now) {
        super(rules, slot, now);
    }

    static Step decide(Rules rules, Slot slot, Event event, Now now) {
        Table t = new Table(rules, slot, now);
        t.on(event);
        return new Step(t.d.done(), t.out);
    }

    private void on(Event event) {
        if (event instanceof Event.Control c) {
            switch (c.command()) {
                case START -> start();
                case STOP -> stop(c.reason());
                case RESTART -> restart(c.reason(), false);
                case RESTART_COLD -> restart(c.reason(), true);
                default -> throw new IllegalArgumentException("unknown command " + c.command());
            }
        } else if (event instanceof Event.Respec r) {
            respec(r.spec(), r.restart(), r.reason());
        } else if (event instanceof Event.Shutdown s) {
            shutdown(s.reason());
        } else if (event instanceof Event.GateOpened g) {
            gateOpened(g.gen());
        } else if (event instanceof Event.Launched l) {
            launched(l.gen(), l.pid());
        } else if (event instanceof Event.LaunchFailed f) {
            launchFailed(f.gen(), f.reason());
        } else if (event instanceof Event.Exited x) {
            exited(x.gen(), x.code());
        } else if (event instanceof Event.Ready r) {
            ready(r.gen(), r.startupMillis(), r.handsOver());
        } else if (event instanceof Event.Heartbeat h) {
            if (d.current != null && d.current.gen() == h.gen()) {
                d.current = d.current.withHealth(HealthTracker.onHeartbeat(d.current.health(), h.heartbeat(),
                        now.nanos()));
            }
        } else if (event instanceof Event.HandedOver h) {
            handedOver(h.gen(), h.offset());
        } else if (event instanceof Event.ChildEvent e) {
            childEvent(e);
        } else if (event instanceof Event.ProcSample p) {
            sample(p);
        } else if (event instanceof Event.EventsTampered t) {
            eventsTampered(t.gen(), t.what());
        } else if (event instanceof Event.TimerFired f) {
            timer(f.timer(), f.gen());
        } else {
            throw new IllegalArgumentException("unknown event " + event);
        }
    }

    // ---- rows: control ---------------------------------------------------------------------------------------------

    private void start() {
        if (d.closing) {
            return;
        }
        d.desired = Slot.Desired.UP;
        switch (d.state) {
            case FAILED -> {
                d.restartTimes = List.of();
                d.backoffFailures = 0;
                d.failedReason = null;
                to(ChildState.STOPPED);
                queue();
            }
            case BACKOFF -> {
                out.add(new Effect.Cancel(Timer.BACKOFF));
                queue();
            }
            case STOPPED -> queue();
            case STARTING, RUNNING, STOPPING -> {
                // Up already, or will start again once the stop in flight ends (desired is UP now).
            }
            default -> throw unknownState();
        }
    }

    private void stop(String reason) {
        d.desired = Slot.Desired.DOWN;
        abort(null);
        leaveQueue();
        switch (d.state) {
            case BACKOFF -> {
                out.add(new Effect.Cancel(Timer.BACKOFF));
                to(ChildState.STOPPED);
            }
            case STARTING, RUNNING -> end(new Incarnation.StopOrder(reason, false, true));
            case STOPPED, STOPPING, FAILED -> {
                // Nothing runs, or the stop in flight now ends in STOPPED (desired is DOWN).
            }
            default -> throw unknownState();
        }
    }

    private void restart(String reason, boolean cold) {
        if (d.closing) {
            return;
        }
        if (!handingOver()) {
            d.handoverFailure = null; // what the reply to this restart reports is its own outcome
        }
        if (handingOver() && !cold) {
            log(Effect.Level.INFO, "bot '" + d.id() + "': " + reason + " changes nothing: a restart by handover is in "
                    + "progress");
            return;
        }
        switch (d.state) {
            case STARTING, RUNNING -> {
                if (!cold && canHandOver()) {
                    beginHandover(reason);
                    return;
                }
                abort(cold ? "a cold restart" : null);
                d.desired = Slot.Desired.UP;
                end(new Incarnation.StopOrder(reason, false, true));
            }
            case STOPPING -> d.desired = Slot.Desired.UP;
            case STOPPED, BACKOFF, FAILED -> start();
            default -> throw unknownState();
        }
    }

    /** A reload's new spec: stop what runs under the old one, then go on under the new (see {@link Event.Respec}). */
    private void respec(io.botvisor.supervisor.config.Specs.Bot spec, boolean restart, String reason) {
        if (!spec.id().equals(d.id())) {
            throw new IllegalArgumentException("spec of bot '" + spec.id() + "' given to bot '" + d.id() + "'");
        }
        if (!restart || d.closing || d.desired == Slot.Desired.DOWN) {
            d.spec = spec;
            return;
        }
        if (handingOver()) {
            // The successor runs the spec it was launched with; the next restart applies this one.
            d.spec = spec;
            log(Effect.Level.INFO, "bot '" + d.id() + "': a restart by handover is in progress; its new spec applies "
                    + "from the next restart");
            return;
        }
        switch (d.state) {
            case STARTING, RUNNING -> {
                if (canHandOver()) {
                    d.spec = spec;
                    beginHandover(reason);
                    return;
                }
                // Signalled under the old spec (a command: child gets SIGTERM, a bot-runner STOP, with the old timeout).
                end(new Incarnation.StopOrder(reason, false, true));
                d.spec = spec;
            }
            case STOPPING -> d.spec = spec;
            case STOPPED, BACKOFF, FAILED -> {
                d.spec = spec;
                start();
            }
            default -> throw unknownState();
        }
    }

    private void shutdown(String reason) {
        d.closing = true;
        stop(reason);
    }

    // ---- rows: the start gate and the launch ------------------------------------------------------------------------

    private void gateOpened(long gen) {
        if (d.handover != null && d.handover.phase() == Slot.Handover.Phase.QUEUED && d.queued) {
            if (d.state == ChildState.RUNNING && d.desired == Slot.Desired.UP && !d.closing) {
                handoverGateOpened(gen);
                return;
            }
            abort("the bot is " + d.state + " now"); // leaves the gate
            return;
        }
        boolean startable = d.state == ChildState.STOPPED || d.state == ChildState.BACKOFF;
        if (!d.queued || d.desired != Slot.Desired.UP || d.closing || !startable) {
            d.queued = false;
            out.add(new Effect.LeaveGate());
            return;
        }
        d.queued = false;
        d.holdsGate = true;
        out.add(new Effect.Cancel(Timer.BACKOFF));
        d.current = Incarnation.launching(gen, now.nanos());
        to(ChildState.STARTING);
        out.add(new Effect.Launch(gen));
        if (!d.spec.isCommand()) {
            out.add(new Effect.Arm(Timer.SLOW_START, Rules.SLOW_START, gen));
            out.add(new Effect.Arm(Timer.STARTUP, d.spec.health().startupTimeout(), gen));
        }
    }

    private void launched(long gen, long pid) {
        if (d.isSuccessor(gen)) {
            successorLaunched(gen, pid);
            return;
        }
        if (!d.isCurrent(gen)) {
            log(Effect.Level.WARN, "bot '" + d.id() + "': a launch it no longer wanted started pid " + pid
                    + "; killing it");
            out.add(new Effect.SignalTree(gen, Effect.Signal.KILL_TREE));
            return;
        }
        d.current = d.current.withPid(pid);
        out.add(new Effect.ChildStarted(gen));
        if (d.state == ChildState.STOPPING) {
            signal(d.current.stop(), false);
        } else if (d.state == ChildState.STARTING && d.spec.isCommand()) {
            releaseGate();
            to(ChildState.RUNNING);
            log(Effect.Level.INFO, "bot '" + d.id() + "' is RUNNING (pid " + pid
                    + "; a command: bot is running once spawned)");
        }
    }

    private void launchFailed(long gen, String reason) {
        if (d.isSuccessor(gen)) {
            successorLaunchFailed(reason);
            return;
        }
        if (!d.isCurrent(gen)) {
            return;
        }
        cancelIncarnationTimers();
        releaseGate();
        Incarnation inc = d.current;
        d.current = null;
        if (d.state == ChildState.STOPPING) {
            afterStop(inc, new ExitStatus(-1), "never launched: " + reason);
        } else {
            failure(new ExitStatus(-1), "could not be launched: " + reason, null, ExitCause.LAUNCH_FAILED);
        }
    }

    private void ready(long gen, long startupMillis, boolean handsOver) {
        if (d.isSuccessor(gen)) {
            d.successor = d.successor.withHandsOver(handsOver);
            successorReady(gen, startupMillis);
            return;
        }
        if (!d.isCurrent(gen) || d.state != ChildState.STARTING || d.spec.isCommand()) {
            return;
        }
        out.add(new Effect.Cancel(Timer.STARTUP));
        out.add(new Effect.Cancel(Timer.SLOW_START));
        releaseGate();
        d.current = d.current.withHealth(d.current.health().alive(now.nanos())).withHandsOver(handsOver);
        to(ChildState.RUNNING);
        out.add(new Effect.Arm(Timer.HEARTBEAT, d.spec.health().heartbeatTimeout(), Rules.HEARTBEAT_SLACK, gen));
        log(Effect.Level.INFO, "bot '" + d.id() + "' is RUNNING [pid " + pidText(d.current) + ", ready "
                + startupMillis + " ms after JVM start]");
    }

    // ---- rows: the end of a process -------------------------------------------------------------------------------

    private void exited(long gen, int code) {
        if (d.isSuccessor(gen)) {
            successorExited(gen, code);
            return;
        }
        if (!d.isCurrent(gen)) {
            return;
        }
        if (d.handover != null && currentExitedHandingOver(gen, code)) {
            return;
        }
        Incarnation inc = d.current;
        out.add(new Effect.ChildGone(gen));
        cancelIncarnationTimers();
        releaseGate();
        d.current = null;
        ExitStatus status = new ExitStatus(code);
        switch (d.state) {
            case STOPPING -> afterStop(inc, status, null);
            case STARTING -> {
                if (code == ChildExit.CONFIG_ERROR && !d.spec.isCommand()) {
                    configurationError(inc, status);
                } else {
                    failure(status, exitText(status, inc, null), null);
                }
            }
            case RUNNING -> failure(status, exitText(status, inc, null), null);
            default -> throw unknownState();
        }
    }

    // ---- rows: what the child says and what /proc shows ------------------------------------------------------------

    private void childEvent(Event.ChildEvent e) {
        if (d.isSuccessor(e.gen())) {
            String detail = Printable.oneLine(e.detail());
            if (ChildExit.EVENT_START_FAILED.equals(e.kind())) {
                d.successor = d.successor.withStartFailure(detail);
            }
            log(Effect.Level.INFO, "bot '" + d.id() + "' [successor pid " + pidText(d.successor) + "] "
                    + Printable.oneLine(e.kind()) + ": " + detail);
            return;
        }
        if (!d.isCurrent(e.gen())) {
            return;
        }
        String kind = Printable.oneLine(e.kind());
        String detail = Printable.oneLine(e.detail());
        if (ChildExit.EVENT_START_FAILED.equals(e.kind())) {
            d.current = d.current.withStartFailure(detail);
            log(Effect.Level.WARN, "bot '" + d.id() + "' [pid " + pidText(d.current) + "] failed to start: " + detail);
        } else if (ChildExit.EVENT_HEARTBEAT_FAILED.equals(e.kind())) {
            d.current = d.current.withHeartbeatFailure(detail);
            log(Effect.Level.WARN, "bot '" + d.id() + "' [pid " + pidText(d.current) + "] heartbeat task failed: "
                    + detail);
        } else {
            log(Effect.Level.INFO, "bot '" + d.id() + "' [pid " + pidText(d.current) + "] " + kind + ": " + detail);
        }
    }

    private void sample(Event.ProcSample p) {
        if (!d.isCurrent(p.gen())) {
            return;
        }
        Incarnation inc = d.current.withDemandTicks(p.demandTicks());
        d.current = inc;
        if (d.state != ChildState.RUNNING || d.handover != null) {
            // Starting, stopping, or handing over (it is being replaced already): measured, not judged.
            d.current = inc.withHealth(inc.health().withSample(p.rssBytes(), 0));
            return;
        }
        HealthTracker.Verdict v = HealthTracker.sample(d.spec, inc.health(), p.rssBytes(), p.stopped(),
                d.restartsInWindowAt(now.nanos()), now.nanos());
        d.current = inc.withHealth(v.health());
        String change = HealthTracker.change(d.spec, inc.health(), v.health());
        if (change != null) {
            log(v.health().unhealthySinceNanos() >= 0 ? Effect.Level.WARN : Effect.Level.INFO,
                    "bot '" + d.id() + "' (pid " + inc.pid() + ") " + change);
        }
        if (v.endFor() != null && !v.kill() && canHandOver()
                && d.restartsInWindowAt(now.nanos()) < d.spec.restart().maxRestarts()) {
            // A restart for cause, without a gap: counted against the restart intensity as any other.
            List<Long> times = new java.util.ArrayList<>(Slot.inWindow(d.spec, d.restartTimes, now.nanos()));
            times.add(now.nanos());
            d.restartTimes = times;
            d.restartsTotal++;
            log(Effect.Level.WARN, "bot '" + d.id() + "' (pid " + inc.pid() + ") " + v.endFor());
            beginHandover(v.endFor());
            return;
        }
        if (v.endFor() != null) {
            log(Effect.Level.WARN, "bot '" + d.id() + "' (pid " + inc.pid() + ") " + v.endFor()
                    + (v.kill() ? "; killing its process tree" : "; restarting it gracefully"));
            end(new Incarnation.StopOrder(v.endFor(), true, !v.kill(), v.cause()));
            return;
        }
        long healthySince = v.health().healthySinceNanos();
        if (d.backoffFailures > 0 && healthySince >= 0
                && now.nanos() - healthySince >= d.spec.restart().resetAfter().toNanos()) {
            // Stable for long enough: the next failure starts the backoff over (client-go's rule).
            d.backoffFailures = 0;
        }
    }

    /** The bot broke the one rule its events queue has (be readable): it is killed at once, as a failure. */
    private void eventsTampered(long gen, String what) {
        abort("the bot's events queue was tampered with");
        if (!d.isCurrent(gen)) {
            return;
        }
        String reason = "its events queue was tampered with: " + what;
        log(Effect.Level.WARN, "bot '" + d.id() + "' (pid " + pidText(d.current) + ") " + reason
                + "; killing its process tree");
        Incarnation.StopOrder kill = new Incarnation.StopOrder(reason, true, false, ExitCause.CRASH);
        switch (d.state) {
            case STARTING, RUNNING -> end(kill);
            case STOPPING -> {
                // A stop in flight (graceful, or waiting for the pid) becomes this kill.
                out.add(new Effect.Cancel(Timer.STOP_TIMEOUT));
                out.add(new Effect.Cancel(Timer.KILL_GRACE));
                d.current = d.current.withStop(kill);
                if (d.current.pid() != 0) {
                    signal(kill, false);
                }
            }
            default -> throw unknownState();
        }
    }

    // ---- rows: timers ---------------------------------------------------------------------------------------------

    private void timer(Timer timer, long gen) {
        if (handoverTimer(timer, gen)) {
            return;
        }
        switch (timer) {
            case BACKOFF -> {
                if (d.state == ChildState.BACKOFF && d.desired == Slot.Desired.UP && !d.closing) {
                    queue();
                }
            }
            case STARTUP -> {
                if (d.isCurrent(gen) && d.state == ChildState.STARTING) {
                    Duration t = d.spec.health().startupTimeout();
                    log(Effect.Level.WARN, "bot '" + d.id() + "' (pid " + pidText(d.current) + ") sent no READY within "
                            + Units.seconds(t) + "; killing its process tree");
                    end(new Incarnation.StopOrder("no READY within " + Units.seconds(t), true, false,
                            ExitCause.STARTUP_TIMEOUT));
                }
            }
            case SLOW_START -> {
                if (d.isCurrent(gen) && d.state == ChildState.STARTING) {
                    slowStart(gen);
                }
            }
            case HEARTBEAT -> {
                if (d.isCurrent(gen) && d.state == ChildState.RUNNING) {
                    heartbeatDue(gen);
                }
            }
            case STOP_TIMEOUT -> {
                if (d.isCurrent(gen) && d.state == ChildState.STOPPING) {
                    log(Effect.Level.WARN, "bot '" + d.id() + "' (pid " + pidText(d.current) + ") did not stop within "
                            + Units.seconds(d.spec.stopTimeout()) + "; sending SIGTERM to its process tree");
                    out.add(new Effect.SignalTree(gen, Effect.Signal.TERM_TREE));
                    out.add(new Effect.Arm(Timer.KILL_GRACE, Rules.KILL_GRACE, gen));
                }
            }
            case KILL_GRACE -> {
                if (d.isCurrent(gen) && d.state == ChildState.STOPPING) {
                    log(Effect.Level.WARN, "bot '" + d.id() + "' (pid " + pidText(d.current) + ") survived SIGTERM for "
                            + Units.seconds(Rules.KILL_GRACE) + "; sending SIGKILL to its process tree");
                    out.add(new Effect.SignalTree(gen, Effect.Signal.KILL_TREE));
                }
            }
            case HANDOVER, SUCCESSOR_STARTUP -> {
                // decided by handoverTimer
            }
            default -> throw new IllegalArgumentException("unknown timer " + timer);
        }
    }

    /**
     * A starter still without READY after another {@link Rules#SLOW_START}: one that works (its launch still in
     * flight, no demand for CPU known yet, or a demand of at least {@link Rules#WORKING_CPU_SHARE} of a core since the
     * last look: CPU used, or waited for in a run queue) keeps its start-gate place for another round; one that waits
     * (a warm-up blocked on the network, a sleep) gives it to the next bot, so that a slow starter never blocks the
     * rest. Judged by the clock alone, a JVM starved of CPU (dozens starting at once on a few cores) gave its place up
     * while still working, so every bot started at once and each took long enough for its STARTUP deadline to kill it;
     * by the CPU used alone, a starter of a host at load 100 looked idle (2 % of a core).
     */
    private void slowStart(long gen) {
        if (!d.holdsGate) {
            return;
        }
        Incarnation inc = d.current;
        long wanted = inc.demandTicks() - inc.checkedDemandTicks();
        if (inc.pid() == 0 || inc.demandTicks() < 0 || wanted >= Rules.WORKING_TICKS) {
            d.current = inc.checkedDemand();
            out.add(new Effect.Arm(Timer.SLOW_START, Rules.SLOW_START, gen));
            return;
        }
        log(Effect.Level.INFO, "bot '" + d.id() + "' (pid " + inc.pid() + ") has no READY yet and used or waited for "
                + Math.max(0, wanted) * 1000 / ProcStats.TICKS_PER_SECOND + " ms of CPU in the last "
                + Units.seconds(Rules.SLOW_START) + " (waiting, not working); its start-gate place goes to the next "
                + "bot");
        releaseGate();
    }

    private void heartbeatDue(long gen) {
        Health h = d.current.health();
        Duration age = HealthTracker.overdue(d.spec, h, now.nanos());
        if (age == null) {
            Duration left = d.spec.health().heartbeatTimeout().minusNanos(now.nanos() - h.lastHeartbeatNanos());
            out.add(new Effect.Arm(Timer.HEARTBEAT, left.plusMillis(1), Rules.HEARTBEAT_SLACK, gen));
            return;
        }
        String reason = "no heartbeat for " + Units.seconds(age) + " (hung or stopped)"
                + (d.current.heartbeatFailure() == null ? ""
                        : "; its heartbeat task failed: " + d.current.heartbeatFailure());
        log(Effect.Level.WARN, "bot '" + d.id() + "' (pid " + d.current.pid() + ") " + reason
                + "; killing its process tree");
        end(new Incarnation.StopOrder(reason, true, false, ExitCause.HANG));
    }
}

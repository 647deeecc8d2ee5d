package io.botvisor.supervisor.core;

import io.botvisor.ipc.Units;
import io.botvisor.supervisor.config.RestartPolicy;
import io.botvisor.supervisor.policy.Backoff;
import io.botvisor.supervisor.process.ExitStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps {@link Table}'s rows share: ending an incarnation, what follows an exit (the failure rule: policy,
 * intensity, backoff), the start gate, transitions and log lines. Holds one decision's working copy of the slot and
 * the effects so far; lives for one call of {@link Table#decide}, on the loop thread.
 */
abstract class Decision {
    final Rules rules;
    final Slot.Draft d;
    final Now now;
    final List<Effect> out = new ArrayList<>();

    Decision(Rules rules, Slot slot, Now now) {
        this.rules = rules;
        this.d = slot.draft();
        this.now = now;
    }

    /** The end of an incarnation the supervisor was stopping (or whose launch it was waiting out). */
    void afterStop(Incarnation inc, ExitStatus status, String note) {
        Incarnation.StopOrder order = inc.stop();
        if (order.failure() && d.desired == Slot.Desired.UP && !d.closing) {
            failure(status, exitText(status, inc, order.reason()), order.reason(),
                    order.cause() != null ? order.cause() : ExitCause.ofExit(status, d.spec.isCommand()));
            return;
        }
        String reason = note == null ? order.reason() : order.reason() + " (" + note + ")";
        record(status, reason);
        log(Effect.Level.INFO, "bot '" + d.id() + "' stopped [pid " + pidText(inc) + ", exit " + status.describe()
                + "]: " + reason);
        to(ChildState.STOPPED);
        if (d.desired == Slot.Desired.UP && !d.closing) {
            queue();
        }
    }

    /** A child that exited 78 before READY said its configuration is wrong: restarting cannot help. */
    void configurationError(Incarnation inc, ExitStatus status) {
        String cause = inc.startFailure() != null ? inc.startFailure()
                : "exited with " + status.describe() + " (configuration error) before READY; see logs/" + d.id()
                        + "/stderr.log";
        record(status, "configuration error: " + cause, ExitCause.CRASH);
        fail("bot '" + d.id() + "' cannot start: " + cause + " [pid " + pidText(inc) + "]; a configuration error is "
                + "not retried: fix it, then 'botvisor ctl start " + d.id() + "'");
    }

    /**
     * An end nobody asked for, a kill for cause, or a launch that failed: restart with backoff, or give up. The one
     * place that decides it.
     */
    void failure(ExitStatus status, String what, String killedFor) {
        failure(status, what, killedFor, ExitCause.ofExit(status, d.spec.isCommand()));
    }

    /** {@link #failure(ExitStatus, String, String)}, counted as {@code cause} (a clean exit under on-failure: none). */
    void failure(ExitStatus status, String what, String killedFor, ExitCause cause) {
        RestartPolicy policy = d.spec.restart().policy();
        boolean finished = policy == RestartPolicy.ON_FAILURE && status.clean() && killedFor == null;
        record(status, killedFor != null ? killedFor : what, finished ? null : cause);
        if (policy == RestartPolicy.NEVER) {
            fail("bot '" + d.id() + "' " + what + "; restart policy is never");
            return;
        }
        if (finished) {
            d.desired = Slot.Desired.DOWN;
            log(Effect.Level.INFO, "bot '" + d.id() + "' " + what + "; restart policy on-failure leaves it STOPPED");
            to(ChildState.STOPPED);
            return;
        }
        int max = d.spec.restart().maxRestarts();
        List<Long> times = new ArrayList<>(Slot.inWindow(d.spec, d.restartTimes, now.nanos()));
        times.add(now.nanos());
        d.restartTimes = times;
        if (times.size() > max) {
            fail("bot '" + d.id() + "' " + what + "; giving up: more than " + max + " restarts in "
                    + d.spec.restart().window().toSeconds() + " s; FAILED until 'botvisor ctl start " + d.id() + "'");
            return;
        }
        Duration delay = Backoff.delay(d.spec.restart().backoff(), d.backoffFailures, rules.jitter().getAsDouble());
        d.backoffFailures++;
        d.restartsTotal++;
        log(Effect.Level.WARN, "bot '" + d.id() + "' " + what + "; restarting in " + Units.seconds(delay)
                + " (restart " + times.size() + " of " + max + " in " + d.spec.restart().window().toSeconds() + " s)");
        to(ChildState.BACKOFF);
        out.add(new Effect.Arm(Timer.BACKOFF, delay, 0));
    }

    String exitText(ExitStatus status, Incarnation inc, String killedFor) {
        return "exited with " + status.describe() + " [pid " + pidText(inc)
                + (killedFor == null ? "" : ", killed: " + killedFor) + "]"
                + (inc.startFailure() == null ? "" : ": start failed: " + inc.startFailure());
    }

    void fail(String message) {
        log(Effect.Level.ERROR, message);
        d.failedReason = message;
        to(ChildState.FAILED);
    }

    void record(ExitStatus status, String reason) {
        record(status, reason, null);
    }

    void record(ExitStatus status, String reason, ExitCause cause) {
        d.lastExit = new LastExit(status.code(), status.signal(), reason, now.instant(), cause);
    }

    // ---- shared steps ---------------------------------------------------------------------------------------------

    /**
     * Ends the current incarnation (STARTING or RUNNING) as {@code order} says. Graceful: STOP over IPC to a READY
     * bot-runner child, SIGTERM to anything else, escalated after stopTimeout; not graceful (a hang): SIGKILL to
     * the tree at once. A launch still in flight is signalled once its pid is known.
     */
    void end(Incarnation.StopOrder order) {
        boolean wasRunning = d.state == ChildState.RUNNING;
        out.add(new Effect.Cancel(Timer.STARTUP));
        out.add(new Effect.Cancel(Timer.SLOW_START));
        out.add(new Effect.Cancel(Timer.HEARTBEAT));
        releaseGate();
        d.current = d.current.withStop(order);
        to(ChildState.STOPPING);
        if (d.current.pid() != 0) {
            signal(order, wasRunning);
        }
    }

    void signal(Incarnation.StopOrder order, boolean running) {
        long gen = d.current.gen();
        if (!order.graceful()) {
            out.add(new Effect.SignalTree(gen, Effect.Signal.KILL_TREE));
            return;
        }
        Duration timeout = d.spec.stopTimeout();
        if (running && !d.spec.isCommand()) {
            out.add(new Effect.SendStop(gen, order.reason(), timeout));
        } else {
            out.add(new Effect.SignalTree(gen, Effect.Signal.TERM_ROOT));
        }
        out.add(new Effect.Arm(Timer.STOP_TIMEOUT, timeout, gen));
    }

    void queue() {
        if (!d.queued) {
            d.queued = true;
            out.add(new Effect.JoinGate());
        }
    }

    void leaveQueue() {
        if (d.queued) {
            d.queued = false;
            out.add(new Effect.LeaveGate());
        }
    }

    void releaseGate() {
        if (d.holdsGate) {
            d.holdsGate = false;
            out.add(new Effect.LeaveGate());
        }
    }

    void cancelIncarnationTimers() {
        for (Timer t : new Timer[] {Timer.STARTUP, Timer.SLOW_START, Timer.HEARTBEAT, Timer.STOP_TIMEOUT,
            Timer.KILL_GRACE}) {
            out.add(new Effect.Cancel(t));
        }
    }

    void to(ChildState next) {
        if (next != d.state) {
            ChildState.check(d.id(), d.state, next);
            out.add(new Effect.StateChanged(d.state, next));
            d.state = next;
            d.sinceNanos = now.nanos();
        }
    }

    void log(Effect.Level level, String text) {
        out.add(new Effect.Log(level, text));
    }

    static String pidText(Incarnation inc) {
        return inc.pid() == 0 ? "not yet known" : Long.toString(inc.pid());
    }

    IllegalStateException unknownState() {
        return new IllegalStateException("bot '" + d.id() + "': no decision for state " + d.state);
    }
}

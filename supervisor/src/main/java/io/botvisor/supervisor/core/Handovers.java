package io.botvisor.supervisor.core;

import io.botvisor.ipc.ChildExit;
import io.botvisor.ipc.Units;
import io.botvisor.supervisor.core.Slot.Handover;
import io.botvisor.supervisor.core.Slot.Handover.Phase;
import io.botvisor.supervisor.process.ExitStatus;

/**
 * The rows of {@link Table} for a handover restart, which keep a bot RUNNING throughout: one process polls Telegram
 * at any moment, and the bot answers all along. Only for a bot whose READY said it can hand over (a Telegram bot;
 * any bot-runner bot implementing {@code HandsOver}, which declares it safe to run beside its successor for a
 * moment); any other restarts cold.
 * <pre>
 * phase      | what happens                                              | next
 * -----------+-----------------------------------------------------------+------------------------------------------
 * QUEUED     | restart of a RUNNING bot that hands over: wait for a place | gate opened: launch the successor in
 *            |                                                           | standby → WARMING
 * WARMING    | the successor starts (jars, pool, getMe), takes no work   | its READY: HANDOVER to the current one
 *            |                                                           | → SWITCHING
 * SWITCHING  | the current one cuts its poll, records and confirms       | its HANDED_OVER (offset): TAKEOVER
 *            |                                                           | (poll from offset) → RETIRING
 * RETIRING   | the current one finishes its handlers and sends, exits    | its exit: TAKEOVER (serve); the
 *            |                                                           | successor becomes current; done
 * ABORTING   | given up: the successor is stopped                        | its exit: done
 * </pre>
 * Failures: the successor exits or sends no READY in time (QUEUED/WARMING) → the handover failed, the current one
 * keeps serving, and the failure is reported ({@code handoverFailure}). The current one exits while the successor warms
 * up → a crash as ever (the successor is stopped, the failure rule restarts the bot). The current one exits or is
 * killed (no HANDED_OVER within stopTimeout) while SWITCHING → the successor takes over from offset 0 (what the inbox
 * holds is skipped: nothing lost, nothing twice). The successor exits once the current one handed over → the current
 * one still finishes and exits, and the bot restarts by the failure rule. Stop or shutdown stops both.
 */
abstract class Handovers extends Decision {

    Handovers(Rules rules, Slot slot, Now now) {
        super(rules, slot, now);
    }

    /**
     * Whether a restart now can be a handover: a RUNNING bot-runner bot whose READY said it can hand over (a Telegram
     * bot; any bot implementing HandsOver), not handing over already.
     */
    boolean canHandOver() {
        return !d.spec.isCommand() && d.state == ChildState.RUNNING && !d.closing && d.current != null
                && d.current.pid() != 0 && d.current.handsOver() && d.handover == null && d.successor == null;
    }

    /** Restarts a RUNNING bot by handing over to a successor (see {@link #canHandOver}). */
    void beginHandover(String reason) {
        d.desired = Slot.Desired.UP;
        d.handover = new Handover(Phase.QUEUED, reason, 0);
        d.handoverFailure = null;
        queue();
        log(Effect.Level.INFO, "bot '" + d.id() + "' restarting by handover (" + reason + "): a successor starts while "
                + "pid " + d.current.pid() + " serves");
    }

    boolean handingOver() {
        return d.handover != null && d.handover.phase() != Phase.ABORTING;
    }

    /** A gate place for the queued successor; true when this was the handover's. */
    boolean handoverGateOpened(long gen) {
        if (d.handover == null || d.handover.phase() != Phase.QUEUED || !d.queued) {
            return false;
        }
        d.queued = false;
        d.holdsGate = true;
        d.successor = Incarnation.launching(gen, now.nanos());
        d.handover = d.handover.to(Phase.WARMING);
        out.add(new Effect.Launch(gen, true));
        out.add(new Effect.Arm(Timer.SUCCESSOR_STARTUP, d.spec.health().startupTimeout(), gen));
        return true;
    }

    void successorLaunched(long gen, long pid) {
        d.successor = d.successor.withPid(pid);
        if (d.handover == null || d.handover.phase() == Phase.ABORTING) {
            out.add(new Effect.SignalTree(gen, Effect.Signal.TERM_TREE));
        }
    }

    void successorLaunchFailed(String reason) {
        d.successor = null;
        failed("its successor could not be launched: " + reason);
    }

    void successorReady(long gen, long startupMillis) {
        if (d.handover == null || d.handover.phase() != Phase.WARMING) {
            return;
        }
        out.add(new Effect.Cancel(Timer.SUCCESSOR_STARTUP));
        releaseGate();
        d.successor = d.successor.withHealth(d.successor.health().alive(now.nanos()));
        d.handover = d.handover.to(Phase.SWITCHING);
        // The current one is being ended: its heartbeat deadline no longer applies, the handover's does.
        out.add(new Effect.Cancel(Timer.HEARTBEAT));
        out.add(new Effect.SendHandover(d.current.gen(), d.spec.stopTimeout()));
        out.add(new Effect.Arm(Timer.HANDOVER, d.spec.stopTimeout(), d.current.gen()));
        log(Effect.Level.INFO, "bot '" + d.id() + "': successor pid " + pidText(d.successor) + " is ready ("
                + startupMillis + " ms after JVM start); pid " + pidText(d.current) + " hands over");
    }

    /** The current process stopped taking work: the successor takes it from {@code offset}. */
    void handedOver(long gen, long offset) {
        if (!d.isCurrent(gen) || d.handover == null || d.handover.phase() != Phase.SWITCHING) {
            return;
        }
        out.add(new Effect.Cancel(Timer.HANDOVER));
        d.handover = new Handover(Phase.RETIRING, d.handover.reason(), offset);
        d.current = d.current.withStop(new Incarnation.StopOrder(d.handover.reason() + " (handed over)", false, true));
        out.add(new Effect.SendTakeover(d.successor.gen(), offset, false));
        out.add(new Effect.Arm(Timer.STOP_TIMEOUT, d.spec.stopTimeout(), gen));
    }

    /** The successor's exit. */
    void successorExited(long gen, int code) {
        Incarnation inc = d.successor;
        d.successor = null;
        out.add(new Effect.ChildGone(gen, d.current == null));
        out.add(new Effect.Cancel(Timer.SUCCESSOR_STARTUP));
        ExitStatus status = new ExitStatus(code);
        Phase phase = d.handover == null ? Phase.ABORTING : d.handover.phase();
        switch (phase) {
            case ABORTING -> d.handover = null;
            case WARMING -> failed("its successor " + (code == ChildExit.CONFIG_ERROR ? "has a configuration error: "
                    : "") + exitText(status, inc, null));
            case SWITCHING, RETIRING -> {
                // The current one is handing over or finishing: it exits, and the failure rule restarts the bot.
                d.handover = null;
                d.handoverFailure = "its successor " + exitText(status, inc, null) + " while taking over";
                log(Effect.Level.WARN, "bot '" + d.id() + "': restart by handover failed: " + d.handoverFailure
                        + "; pid " + pidText(d.current) + " finishes, then the bot restarts");
            }
            default -> throw new IllegalStateException("bot '" + d.id() + "': successor exit in phase " + phase);
        }
    }

    /**
     * The current process's exit while a handover is on; true when this decided it (else the usual rows do, the
     * successor being stopped).
     */
    boolean currentExitedHandingOver(long gen, int code) {
        Phase phase = d.handover.phase();
        if (phase != Phase.SWITCHING && phase != Phase.RETIRING) {
            abort("pid " + pidText(d.current) + " exited while its successor started");
            return false;
        }
        Incarnation old = d.current;
        ExitStatus status = new ExitStatus(code);
        out.add(new Effect.ChildGone(gen, false));
        out.add(new Effect.Cancel(Timer.HANDOVER));
        out.add(new Effect.Cancel(Timer.STOP_TIMEOUT));
        out.add(new Effect.Cancel(Timer.KILL_GRACE));
        long offset = phase == Phase.RETIRING ? d.handover.offset() : 0;
        if (phase == Phase.SWITCHING) {
            log(Effect.Level.WARN, "bot '" + d.id() + "': pid " + pidText(old) + " " + status.describe()
                    + " before it handed over; its successor takes over from what the bot recorded");
        }
        record(status, d.handover.reason() + " (handed over)");
        d.current = d.successor;
        d.successor = null;
        d.handover = null;
        d.sinceNanos = now.nanos();
        d.current = d.current.withHealth(d.current.health().alive(now.nanos()));
        out.add(new Effect.ChildStarted(d.current.gen()));
        out.add(new Effect.SendTakeover(d.current.gen(), offset, true));
        out.add(new Effect.Arm(Timer.HEARTBEAT, d.spec.health().heartbeatTimeout(), Rules.HEARTBEAT_SLACK,
                d.current.gen()));
        log(Effect.Level.INFO, "bot '" + d.id() + "' handed over: pid " + pidText(d.current) + " serves [pid "
                + pidText(old) + " exit " + status.describe() + "]");
        return true;
    }

    /** A timer of the handover; true when it was one. */
    boolean handoverTimer(Timer timer, long gen) {
        if (timer == Timer.SUCCESSOR_STARTUP) {
            if (d.isSuccessor(gen) && d.handover != null && d.handover.phase() == Phase.WARMING) {
                failed("its successor sent no READY within " + Units.seconds(d.spec.health().startupTimeout()));
            }
            return true;
        }
        if (timer == Timer.HANDOVER) {
            if (d.isCurrent(gen) && d.handover != null && d.handover.phase() == Phase.SWITCHING) {
                log(Effect.Level.WARN, "bot '" + d.id() + "' (pid " + pidText(d.current) + ") did not hand over within "
                        + Units.seconds(d.spec.stopTimeout()) + "; killing its process tree");
                out.add(new Effect.SignalTree(gen, Effect.Signal.KILL_TREE));
            }
            return true;
        }
        if (d.handover == null || d.handover.phase() != Phase.RETIRING || !d.isCurrent(gen)) {
            return false;
        }
        if (timer == Timer.STOP_TIMEOUT) {
            log(Effect.Level.WARN, "bot '" + d.id() + "' (pid " + pidText(d.current) + ") did not finish within "
                    + Units.seconds(d.spec.stopTimeout()) + " after handing over; sending SIGTERM to its process tree");
            out.add(new Effect.SignalTree(gen, Effect.Signal.TERM_TREE));
            out.add(new Effect.Arm(Timer.KILL_GRACE, Rules.KILL_GRACE, gen));
            return true;
        }
        if (timer == Timer.KILL_GRACE) {
            out.add(new Effect.SignalTree(gen, Effect.Signal.KILL_TREE));
            return true;
        }
        return false;
    }

    /** The handover failed before the current process was asked to hand over: it keeps serving. */
    private void failed(String why) {
        d.handoverFailure = why;
        log(Effect.Level.WARN, "bot '" + d.id() + "': restart by handover failed: " + why + "; pid "
                + pidText(d.current) + " keeps serving");
        abort(null);
    }

    /**
     * Gives the handover up: leaves the gate, stops the successor if there is one (it exits later: ABORTING until
     * then). {@code why}: logged when not null.
     */
    void abort(String why) {
        if (d.handover == null) {
            return;
        }
        if (why != null) {
            log(Effect.Level.INFO, "bot '" + d.id() + "': handover given up: " + why);
        }
        leaveQueue();
        releaseGate();
        out.add(new Effect.Cancel(Timer.SUCCESSOR_STARTUP));
        out.add(new Effect.Cancel(Timer.HANDOVER));
        if (d.successor == null) {
            d.handover = null;
            return;
        }
        d.handover = d.handover.to(Phase.ABORTING);
        if (d.successor.pid() != 0) {
            out.add(new Effect.SignalTree(d.successor.gen(), Effect.Signal.TERM_TREE));
        }
    }
}

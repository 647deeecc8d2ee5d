package io.botvisor.chaos;

import io.botvisor.sandbox.Fault;
import io.botvisor.sandbox.FaultRule;
import io.botvisor.sandbox.SandboxServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * The chaos run's actions, one at a time, each to its end (a database kept down is resumed, a killed supervisor is
 * started again and its fleet seen RUNNING) before the next: what an unlucky host and a busy operator do to a fleet.
 * Chosen by the run's seeded random source with {@link Kind#weight}.
 */
final class Actions {
    enum Kind {
        /** kill -9 of a bot's process. */
        KILL_BOT(3),
        /** SIGSTOP of a bot's process: hung; the supervisor kills it after heartbeatTimeout. */
        STOP_BOT(2),
        /** ctl restart of a bot: a handover. */
        RESTART_BOT(3),
        /** ctl reload after a change of one bot's spec (its pollTimeout): a handover under the new spec. */
        RELOAD_BOT(2),
        /** The next three calls of a bot answered 429 retry_after 2. */
        TOO_MANY_REQUESTS(2),
        /** kill -9 of the embedded PostgreSQL's postmaster: the supervisor restarts it. */
        KILL_DATABASE(1),
        /** SIGSTOP of the embedded PostgreSQL (every process of it) for 5–20 s: down and not restarted. */
        STOP_DATABASE(1),
        /** kill -9 of the supervisor, then botvisor run again on the same state dir. */
        KILL_SUPERVISOR(1);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    interface Say {
        void say(String format, Object... args);
    }

    private final Operator op;
    private final SandboxServer sandbox;
    private final ChaosRun.Fleet fleet;
    private final Random random;
    private final Path fleetFile;
    private final Say log;
    private final Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    private final Map<Integer, Integer> pollTimeouts = new HashMap<>();
    private final List<Long> stoppedDatabase = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    Actions(Operator op, SandboxServer sandbox, ChaosRun.Fleet fleet, Random random, Path fleetFile, Say log) {
        this.op = op;
        this.sandbox = sandbox;
        this.fleet = fleet;
        this.random = random;
        this.fleetFile = fleetFile;
        this.log = log;
    }

    void next() throws Exception {
        Kind kind = pick();
        counts.merge(kind, 1, Integer::sum);
        int bot = random.nextInt(fleet.size());
        String id = ChaosRun.Fleet.id(bot);
        switch (kind) {
            case KILL_BOT, STOP_BOT -> {
                Operator.BotView v = op.bots().get(id);
                if (v == null || v.pid() <= 0) {
                    log.say("%s %s: no process now (%s); skipped", kind, id, v == null ? "no status" : v.state());
                    return;
                }
                Operator.signal(v.pid(), kind == Kind.KILL_BOT ? "KILL" : "STOP");
                log.say("%s %s (pid %d)", kind, id, v.pid());
            }
            case RESTART_BOT -> {
                Operator.CtlResult r = op.ctl("restart", id);
                log.say("%s %s: exit %d: %s", kind, id, r.exitCode(), oneLine(r.output()));
            }
            case RELOAD_BOT -> {
                pollTimeouts.merge(bot, 25, (a, b) -> a == 25 ? 20 : 25);
                fleet.write(fleetFile, pollTimeouts);
                Operator.CtlResult r = op.ctl("reload", "--wait");
                log.say("%s %s (pollTimeout %d s): exit %d: %s", kind, id, pollTimeouts.get(bot), r.exitCode(),
                        oneLine(r.output()));
            }
            case TOO_MANY_REQUESTS -> {
                sandbox.injectFault(FaultRule.next(3, Fault.tooManyRequests(2)).forBot(fleet.botId(bot)));
                log.say("%s %s: its next 3 calls answered 429 retry_after 2", kind, id);
            }
            case KILL_DATABASE -> {
                OptionalLong pm = op.postmaster();
                if (pm.isEmpty()) {
                    log.say("%s: no postmaster now; skipped", kind);
                    return;
                }
                Operator.signal(pm.getAsLong(), "KILL");
                log.say("%s (postmaster pid %d)", kind, pm.getAsLong());
            }
            case STOP_DATABASE -> stopDatabase(kind);
            case KILL_SUPERVISOR -> killSupervisor(kind);
            default -> throw new IllegalStateException("unknown action " + kind);
        }
    }

    private void stopDatabase(Kind kind) throws Exception {
        OptionalLong pm = op.postmaster();
        if (pm.isEmpty()) {
            log.say("%s: no postmaster now; skipped", kind);
            return;
        }
        List<Long> tree = Operator.tree(pm.getAsLong());
        long downMillis = 5_000 + random.nextInt(15_000);
        for (long pid : tree) {
            Operator.signal(pid, "STOP");
            stoppedDatabase.add(pid);
        }
        log.say("%s: %d processes stopped for %d s", kind, tree.size(), downMillis / 1000);
        try {
            Thread.sleep(downMillis); // how long the database stays down: the action itself
        } finally {
            undo();
        }
        log.say("%s: resumed", kind);
    }

    private void killSupervisor(Kind kind) throws Exception {
        long pid = op.supervisorPid();
        op.killSupervisor();
        log.say("%s (pid %d); starting it again", kind, pid);
        op.startSupervisor();
        boolean up = Operator.await(ChaosRun.START, () -> op.allRunning(fleet.size()));
        if (!up) {
            failures.add("the fleet was not RUNNING within " + ChaosRun.START.toSeconds()
                    + " s of the supervisor's restart");
        }
        log.say("%s: the new supervisor (pid %d) %s", kind, op.supervisorPid(), up ? "runs the fleet"
                : "did not get every bot RUNNING within " + ChaosRun.START.toSeconds() + " s");
    }

    /** Resumes whatever an action left stopped (the database). */
    void undo() throws Exception {
        for (long pid : stoppedDatabase) {
            Operator.signal(pid, "CONT");
        }
        stoppedDatabase.clear();
    }

    Map<String, Integer> counts() {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(k.name().toLowerCase(java.util.Locale.ROOT), v));
        return out;
    }

    /** What went wrong in the actions themselves (a supervisor that did not bring its fleet back). */
    List<String> failures() {
        return List.copyOf(failures);
    }

    String summary() {
        return counts.entrySet().stream().map(e -> e.getKey().name().toLowerCase(java.util.Locale.ROOT) + " "
                + e.getValue()).collect(Collectors.joining(", "));
    }

    private Kind pick() {
        int total = 0;
        for (Kind k : Kind.values()) {
            total += k.weight;
        }
        int r = random.nextInt(total);
        for (Kind k : Kind.values()) {
            r -= k.weight;
            if (r < 0) {
                return k;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').strip();
    }
}

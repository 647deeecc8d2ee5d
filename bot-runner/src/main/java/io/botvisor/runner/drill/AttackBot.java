package io.botvisor.runner.drill;

import io.botvisor.ipc.ChildSpec;
import io.botvisor.runner.Bot;
import io.botvisor.runner.BotConfigException;
import io.botvisor.runner.BotContext;
import io.botvisor.storage.BotRoles;
import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The hostile drill bot ({@code type: attack}): from inside its own child it attacks the walls around another bot
 * ({@code peer}) and the supervisor, once, and reports every attempt on its stdout, one line each:
 * {@code attack NAME: blocked (WHY)}, {@code attack NAME: ESCAPED (WHAT IT GOT)} or {@code attack NAME: error
 * (DETAIL)} (a failure that is no denial: the drill cannot tell whether the wall holds), counted as
 * {@code attack.blocked}, {@code attack.escaped} and {@code attack.error}. {@code read-peer-cmdline} is informational
 * ({@code visible}: argv is public without hidepid) unless the argv holds what looks like a secret. Then, with
 * {@code forkBomb: N}, it starts up to N {@code sleep 600} processes, prints {@code attack forkBomb: started K of N}
 * and kills them; last {@code attack: done, K escaped of N} (N: the attempts that were blocked, escaped or errors).
 * No line ever holds a secret value, only how much was read and from where.
 *
 * <p>It waits (up to {@link #PEER_WAIT}) for the peer's process and its events queue, so that it attacks a running
 * peer, and runs on a thread of its own, after READY: the attempts take seconds (logins, a walk of the state dir)
 * and must not hold up the heartbeats composed on the work thread. Confined: start and stop are called by the
 * runtime; everything else runs on the attack thread, whose sleepers {@link #stop} kills.
 */
public final class AttackBot implements Bot {
    static final Set<String> KEYS = Set.of("peer", "forkBomb");
    static final Duration PEER_WAIT = Duration.ofSeconds(30);
    private static final long PEER_CHECK_MILLIS = 100;
    private static final int MAX_FORKS = 1024;
    private final List<Process> sleepers = new ArrayList<>();
    private ScheduledExecutorService thread;
    private BotContext ctx;
    private int escaped;
    private int attempts;

    @Override
    public void start(BotContext ctx) throws Exception {
        this.ctx = ctx;
        Map<String, String> c = ctx.config();
        Set<String> unknown = new TreeSet<>(c.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new BotConfigException("config has keys the attack bot does not know: " + unknown
                    + " (expected some of " + new TreeSet<>(KEYS) + ")");
        }
        String peer = c.get("peer");
        if (peer == null || !BotRoles.BOT_NAME.matcher(peer).matches()) {
            throw new BotConfigException("config.peer " + (peer == null ? "is missing" : "\"" + peer
                    + "\" is not a bot id") + " (expected the id of the bot to attack, e.g. shop-1)");
        }
        if (peer.equals(ctx.botId())) {
            throw new BotConfigException("config.peer \"" + peer + "\" is this bot itself (expected another bot's id)");
        }
        int forks = forkBomb(c.get("forkBomb"));
        String specPath = System.getenv(ChildSpec.ENV_SPEC);
        if (specPath == null) {
            throw new IllegalStateException(ChildSpec.ENV_SPEC + " is not set: the attack bot runs in a bot-runner "
                    + "child only");
        }
        Target target = new Target(ChildSpec.readFrom(Path.of(specPath)), peer);
        for (String counter : List.of("attack.blocked", "attack.escaped", "attack.error")) {
            ctx.count(counter, 0); // shown as 0 from the first heartbeat, not only once something happened
        }
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "attack-" + ctx.botId());
            t.setDaemon(true);
            return t;
        });
        System.out.println("attack: started against peer '" + peer + "' (state dir " + target.state() + ")");
        long deadline = System.nanoTime() + PEER_WAIT.toNanos();
        thread.execute(() -> awaitPeer(target, forks, deadline));
    }

    private static int forkBomb(String v) {
        if (v == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 0 && n <= MAX_FORKS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below, like a value out of range
        }
        throw new BotConfigException("config.forkBomb \"" + v + "\" is not valid (expected a whole number from 0 to "
                + MAX_FORKS + ")");
    }

    /** Checks again every {@link #PEER_CHECK_MILLIS} until the peer runs, {@code /proc} hides it, or time is up. */
    private void awaitPeer(Target target, int forks, long deadline) {
        ProcAttacks proc = new ProcAttacks(target);
        OptionalLong pid = proc.findPeer();
        boolean hidden = !othersVisible();
        if ((pid.isPresent() && queueReady(target)) || hidden || System.nanoTime() > deadline) {
            attackAll(target, pid, hidden, forks);
        } else {
            thread.schedule(() -> awaitPeer(target, forks, deadline), PEER_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Whether {@code /proc} shows another uid's process: with {@code hidepid} even our parent is hidden. */
    private static boolean othersVisible() {
        try {
            return ProcAttacks.visible(ProcAttacks.supervisorPid());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The peer's events queue exists, or a wall keeps us from knowing: either way opening it creates nothing. */
    private static boolean queueReady(Target target) {
        try {
            Files.readAttributes(target.ipc().events(target.peer()), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return true;
        } catch (AccessDeniedException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void attackAll(Target target, OptionalLong peerPid, boolean hidden, int forks) {
        DbFiles db = target.db();
        FileAttacks files = new FileAttacks(target);
        List<Loot> stolen = new ArrayList<>();
        report("read-superuser-password", () -> files.readSecret(db.superuserPassword(), "superuser password", stolen));
        report("read-admin-password", () -> files.readSecret(db.adminPassword(), "admin password", stolen));
        report("read-peer-password", () -> files.readSecret(db.botPassword(target.peer()), "peer's password", stolen));
        report("read-peer-spec", files::readPeerSpec);
        databaseAttacks(target, stolen);

        QueueAttacks queues = new QueueAttacks(target);
        report("append-peer-events", queues::appendPeerEvents);
        report("append-control-requests", queues::appendControlRequest);
        report("read-peer-commands", queues::readPeerCommands);

        ProcAttacks proc = new ProcAttacks(target);
        Outcome noPeer = hidden ? Outcome.blocked("no process of peer '" + target.peer() + "' is visible: /proc "
                + "hides other users' processes") : Outcome.error("no process of peer '" + target.peer() + "' found "
                + "in /proc within " + PEER_WAIT.toSeconds() + " s (is it running?)");
        long supervisor = supervisorPid();
        Outcome noSupervisor = supervisor > 0 ? Outcome.blocked("the supervisor's process (pid " + supervisor + ") "
                + "is hidden from this bot") : Outcome.error("cannot read its parent's pid from /proc/self/stat");
        boolean supervisorVisible = supervisor > 0 && ProcAttacks.visible(supervisor);
        report("read-peer-environ", () -> peerPid.isEmpty() ? noPeer : proc.readEnviron(peerPid.getAsLong(), "peer"));
        report("read-supervisor-environ", () -> supervisorVisible ? proc.readEnviron(supervisor, "supervisor")
                : noSupervisor);
        report("read-peer-cmdline", () -> peerPid.isEmpty() ? noPeer : proc.readCmdline(peerPid.getAsLong(), stolen));
        report("signal-peer", () -> peerPid.isEmpty() ? noPeer : proc.signal(peerPid.getAsLong(), "peer"));
        report("signal-supervisor", () -> supervisorVisible ? proc.signal(supervisor, "supervisor") : noSupervisor);
        report("ptrace-peer", () -> peerPid.isEmpty() ? noPeer : proc.ptrace(peerPid.getAsLong()));

        report("write-peer-home", files::writePeerHome);
        report("find-db-password", () -> new PasswordHunt(target).run(stolen, System.getenv()));
        report("list-bots", files::listBots);
        if (forks > 0) {
            forkBomb(forks);
        }
        System.out.println("attack: done, " + escaped + " escaped of " + attempts);
    }

    private void databaseAttacks(Target target, List<Loot> stolen) {
        ChildSpec.Db spec = target.own().db();
        if (spec == null) {
            for (String name : List.of("db-login-superuser", "db-login-admin", "db-login-peer", "read-peer-rows")) {
                report(name, DbAttacks::noDatabase);
            }
            return;
        }
        DbAttacks attacks;
        try {
            attacks = new DbAttacks(target, spec, ctx.database().orElseThrow());
        } catch (RuntimeException e) {
            Outcome noPool = Outcome.error("cannot open its own pool: " + Outcome.describe(e));
            for (String name : List.of("db-login-superuser", "db-login-admin", "db-login-peer", "read-peer-rows")) {
                report(name, () -> noPool);
            }
            return;
        }
        List<Loot> passwords = new ArrayList<>();
        // Its own secret, to try on other roles; reading it is no attempt on a wall, so its outcome is not reported.
        new FileAttacks(target).readSecret(spec.passwordFile(), "own password", passwords);
        passwords.addAll(stolen);
        List<String> roles;
        Outcome noRoles = null;
        try {
            roles = attacks.otherBotRoles();
        } catch (SQLException | RuntimeException e) {
            roles = List.of();
            noRoles = Outcome.error("cannot list other bots' roles through its own pool: " + Outcome.describe(e));
        }
        List<String> others = roles;
        Outcome rolesProblem = noRoles;
        report("db-login-superuser", () -> attacks.login(List.of(EmbeddedDatabase.SUPERUSER), passwords));
        report("db-login-admin", () -> attacks.login(DbAttacks.ADMIN_USERS, passwords));
        report("db-login-peer", () -> rolesProblem != null ? rolesProblem : attacks.login(others, passwords));
        report("read-peer-rows", () -> rolesProblem != null ? rolesProblem : attacks.readPeerRows(others));
    }

    private static long supervisorPid() {
        try {
            return ProcAttacks.supervisorPid();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Runs one attempt and prints its line; a throw is judged like a failure it returned. */
    private void report(String name, Supplier<Outcome> attempt) {
        Outcome o;
        try {
            o = attempt.get();
        } catch (Throwable t) { // a drill reports whatever happens, and goes on with the next attempt
            o = Outcome.failed(t);
        }
        System.out.println(o.line(name));
        switch (o.kind()) {
            case BLOCKED -> ctx.count("attack.blocked", 1);
            case ESCAPED -> ctx.count("attack.escaped", 1);
            case ERROR -> ctx.count("attack.error", 1);
            case VISIBLE -> {
                return; // informational: not an attempt on a wall
            }
        }
        attempts++;
        escaped += o.kind() == Outcome.Kind.ESCAPED ? 1 : 0;
    }

    /** Starts up to {@code n} sleepers until the process limit refuses one, reports how many, and kills them all. */
    private void forkBomb(int n) {
        // The runtime schedules the heartbeats on the bot's executor right after READY, which may come while the
        // bomb holds every task the uid may have: its thread is started first, so the drill's own runtime is not
        // what the bomb takes down (the drill is about the *other* bot).
        try {
            ctx.executor().submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            System.out.println("attack forkBomb: error (the bot's executor did not run a task: " + e + ")");
        }
        String refusal = null;
        int started;
        try {
            synchronized (sleepers) {
                for (int i = 0; i < n && refusal == null; i++) {
                    try {
                        sleepers.add(new ProcessBuilder("sleep", "600")
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                .redirectError(ProcessBuilder.Redirect.DISCARD).start());
                    } catch (IOException e) {
                        refusal = Outcome.describe(e); // fork refused (EAGAIN)
                    } catch (OutOfMemoryError e) {
                        // The fork went through but the JDK's thread that waits for it could not start: the same
                        // limit (it counts threads), met one task later. That child has no Process: killed below.
                        refusal = "OutOfMemoryError: " + e.getMessage();
                    }
                }
                started = sleepers.size();
            }
        } finally {
            killSleepers();
        }
        ctx.count("attack.forkStarted", started);
        System.out.println("attack forkBomb: started " + started + " of " + n);
        if (refusal != null) {
            System.out.println("attack forkBomb: refused (" + refusal + ")");
        }
    }

    private void killSleepers() {
        synchronized (sleepers) {
            sleepers.forEach(Process::destroyForcibly);
            // A child whose Process the JDK could not make (its waiting thread did not start) is still ours.
            ProcessHandle.current().children().filter(h -> h.info().command().map(c -> c.endsWith("/sleep"))
                    .orElse(false)).forEach(ProcessHandle::destroyForcibly);
            for (Process p : sleepers) {
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            sleepers.clear();
        }
    }

    @Override
    public void stop(Duration deadline) {
        if (thread != null) {
            thread.shutdownNow();
        }
        killSleepers();
        System.out.println("attack: stopped");
    }
}

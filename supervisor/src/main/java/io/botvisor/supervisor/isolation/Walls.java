package io.botvisor.supervisor.isolation;

import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.config.Specs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The walls between bots: whether each bot runs under a user of its own, and what that takes — its uid
 * ({@link UidTable}), the state dir's owners and modes ({@link StateLayout}), the command line that drops to that
 * user with limits ({@link #wrap}), and the sweep that kills whatever a bot's uid left running ({@link #sweep}).
 * Decided once at start; immutable after {@link #prepare}; thread-safe.
 */
public final class Walls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Walls.class);
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
    static final Path KILL = Path.of("/bin/kill");
    /** Said at start, in {@code ctl status} and in {@code status --json} when bots share the supervisor's user. */
    public static final String NOT_ISOLATED = "bots are not isolated from each other";
    /** Why, when the supervisor lacks the privileges. */
    static final String NEEDS = "run as root or grant CAP_SETUID and CAP_SETGID (with CAP_CHOWN, CAP_FOWNER, "
            + "CAP_DAC_OVERRIDE and CAP_KILL)";

    private final Specs.Isolation config;
    private final StateLayout layout;
    private final Path uidFile;
    /** Replaced (never changed) when a reload adds bots; null without walls. */
    private volatile UidTable uids;
    /** This supervisor's uids in the host-wide record; null without walls (or when the record cannot be kept). */
    private final UidClaims claims;
    private final String none;

    private Walls(Specs.Isolation config, StateLayout layout, Path uidFile, UidTable uids, String none) {
        this(config, layout, uidFile, uids, null, none);
    }

    private Walls(Specs.Isolation config, StateLayout layout, Path uidFile, UidTable uids, UidClaims claims,
                  String none) {
        this.config = config;
        this.layout = layout;
        this.uidFile = uidFile;
        this.uids = uids;
        this.claims = claims;
        this.none = none;
    }

    /**
     * Decides the walls for {@code fleet}: users when the fleet file allows and the supervisor can; throws
     * {@link SupervisorException} when {@code isolation: users} asks for what this process cannot do, the uid
     * range collides with the host's users, or a uid is another running supervisor's ({@link UidClaims}). Close it
     * after the last bot stopped.
     */
    public static Walls decide(Specs.Fleet fleet, Path stateDir, List<Path> botsRead) {
        Specs.Isolation cfg = fleet.isolation();
        StateLayout layout = new StateLayout(stateDir);
        if (cfg.mode() == Specs.Isolation.Mode.NONE) {
            return new Walls(cfg, layout, stateDir.resolve("uids"), null, "isolation: none in the fleet file");
        }
        String missing = Capabilities.missingForUsers();
        if (missing != null) {
            missing = NEEDS + "; " + missing;
        }
        if (missing == null) {
            for (Path tool : List.of(SETPRIV, PRLIMIT, KILL)) {
                if (!Files.isExecutable(tool)) {
                    missing = tool + " is missing (Debian: apt-get install util-linux procps)";
                    break;
                }
            }
        }
        if (missing != null) {
            if (cfg.mode() == Specs.Isolation.Mode.USERS) {
                throw new SupervisorException("supervisor.isolation is users, but bots cannot get users of their own: "
                        + missing);
            }
            log.warn("{}: {}", NOT_ISOLATED, missing);
            return new Walls(cfg, layout, stateDir.resolve("uids"), null, missing);
        }
        List<Path> mustReach = new ArrayList<>(botsRead);
        mustReach.add(stateDir);
        String unreachable = unreadableBy(cfg.firstUid(), mustReach);
        if (unreachable != null) {
            missing = "a bot's user cannot reach " + unreachable + ": every directory above it must be searchable by "
                    + "others (chmod o+x), and the JDK and bot-runner's jars readable (o+r)";
            if (cfg.mode() == Specs.Isolation.Mode.USERS) {
                throw new SupervisorException("supervisor.isolation is users, but " + missing);
            }
            log.warn("{}: {}", NOT_ISOLATED, missing);
            return new Walls(cfg, layout, stateDir.resolve("uids"), null, missing);
        }
        List<String> ids = fleet.bots().stream().map(Specs.Bot::id).toList();
        Path uidFile = stateDir.resolve("uids");
        UidTable table = UidTable.plan(uidFile, ids, cfg.firstUid(), cfg.lastUid(), Path.of("/etc/passwd"),
                Path.of("/etc/group"));
        // Recorded only once no other supervisor holds one of its uids: a refused start writes nothing.
        UidClaims claims = UidClaims.claim(UidClaims.HOST_DIR, stateDir, table.all());
        table.save(uidFile);
        return new Walls(cfg, layout, uidFile, table, claims, null);
    }

    /** Drops this supervisor's uids from the host-wide record: call after the last bot stopped. */
    @Override
    public void close() {
        if (claims != null) {
            claims.close();
        }
    }

    /**
     * The first of {@code paths} that {@code uid} (with no groups) cannot read — a directory it cannot also search —
     * or null: tried as that uid, so every directory above each path counts. A bot-runner child must read the JDK and
     * its jars and reach the state dir; a supervisor run from root's home (0700) would give bots nothing to run.
     */
    static String unreadableBy(long uid, List<Path> paths) {
        List<String> cmd = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=" + uid, "--regid=" + uid,
                "--clear-groups", "--", "/bin/sh", "-c",
                "for p; do if [ -d \"$p\" ]; then [ -x \"$p\" ] || { echo \"$p\"; exit 1; }; "
                        + "elif [ ! -r \"$p\" ]; then echo \"$p\"; exit 1; fi; done", "sh"));
        paths.forEach(p -> cmd.add(p.toString()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "(the check did not finish)";
            }
            return p.exitValue() == 0 ? null : out.isEmpty() ? "(exit " + p.exitValue() + ")" : out;
        } catch (IOException e) {
            return "(" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /** Whether each bot runs under its own uid. */
    public boolean isolated() {
        return uids != null;
    }

    /** One line for status: what the walls are, or why there are none. */
    public String describe() {
        if (isolated()) {
            return "each bot runs as its own user (uids " + config.firstUid() + "-" + config.lastUid() + ")";
        }
        return config.mode() == Specs.Isolation.Mode.NONE ? "none (isolation: none in the fleet file)"
                : NOT_ISOLATED + ": " + none;
    }

    /** Whether status must warn: no walls, and the operator did not choose that. */
    public boolean warns() {
        return !isolated() && config.mode() != Specs.Isolation.Mode.NONE;
    }

    /** The bot's uid (its gid is the same number), or -1 when bots are not isolated. */
    public long uidOf(String bot) {
        return isolated() ? uids.uidOf(bot) : -1;
    }

    public StateLayout layout() {
        return layout;
    }

    /**
     * Sets the state dir's owners and modes for {@code bots} (call after the database wrote the bots' password files,
     * before any queue is opened): see {@link StateLayout}. Without walls, only creates the directories.
     */
    public void prepare(List<Specs.Bot> bots) {
        if (isolated()) {
            try {
                layout.prepareShared();
            } catch (IOException e) {
                throw new SupervisorException("cannot prepare the state dir for bots with users of their own: " + e, e);
            }
        }
        for (Specs.Bot b : bots) {
            try {
                prepareOne(b);
            } catch (SupervisorException e) {
                // One bot's directories must not hold back the fleet: its launches fail, with this reason, until fixed.
                log.warn("{}", e.getMessage());
            }
        }
    }

    /**
     * Bots a reload adds: uids for those that have none yet (recorded, as at start), then their directories, owners
     * and modes. Throws {@link SupervisorException} when the uid range has no room or a directory cannot be made:
     * the reload then changes nothing.
     */
    public synchronized void admit(List<Specs.Bot> fleet, List<Specs.Bot> added) {
        if (isolated()) {
            UidTable next = UidTable.plan(uidFile, fleet.stream().map(Specs.Bot::id).toList(), config.firstUid(),
                    config.lastUid(), Path.of("/etc/passwd"), Path.of("/etc/group"));
            if (claims != null) {
                claims.update(next.all()); // a refused reload writes nothing
            }
            next.save(uidFile);
            uids = next;
        }
        added.forEach(this::prepareOne);
    }

    /** One bot's directories, owners and modes (see {@link #prepare}); throws when they cannot be made. */
    public void prepareOne(Specs.Bot b) {
        try {
            if (isolated()) {
                long uid = uids.uidOf(b.id());
                layout.prepareBot(b.id(), uid, uid);
            } else {
                layout.createBot(b.id());
            }
        } catch (IOException | RuntimeException e) {
            throw new SupervisorException("bot '" + b.id() + "': cannot prepare its directories in the state dir: " + e,
                    e);
        }
    }

    /**
     * {@code argv} run as the bot's user: no supplementary groups, no new privileges (a setuid binary cannot lift
     * it), its process and open-file limits, and SIGKILL when the launching thread dies (set after the uid change,
     * which would clear it). Without walls, a {@code command:} child still gets the parent-death signal.
     */
    public List<String> wrap(Specs.Bot bot, List<String> argv) {
        List<String> out = new ArrayList<>();
        if (isolated()) {
            long uid = uids.uidOf(bot.id());
            out.addAll(List.of(PRLIMIT.toString(), "--nproc=" + bot.limits().processes() + ":" + bot.limits().processes(),
                    "--nofile=" + bot.limits().openFiles() + ":" + bot.limits().openFiles(), "--"));
            out.addAll(List.of(SETPRIV.toString(), "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                    "--no-new-privs", "--pdeathsig", "SIGKILL", "--"));
        } else if (bot.isCommand() && Files.isExecutable(SETPRIV)) {
            out.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "SIGKILL", "--"));
        }
        out.addAll(argv);
        return out;
    }

    /**
     * The command that kills every process of the bot's uid (what a bot left behind, however it detached: double
     * forks and setsid escape a process tree, not a uid), or null without walls. Runs as that uid, so it can signal
     * nothing else.
     */
    public List<String> sweep(String bot) {
        if (!isolated()) {
            return null;
        }
        long uid = uids.uidOf(bot);
        return sweepAs(uid);
    }

    /**
     * Whether a process of {@code bot}'s uid runs now (by the owners of {@code /proc/PID}, in one pass over
     * {@code uidsRunning}); false without walls. What decides a bot's first sweep at start: the sweep is a fork and an
     * exec, and a 200-bot start would pay 200 of them for uids that almost always have nothing left.
     */
    public boolean hasProcesses(String bot, Set<Long> uidsRunning) {
        return isolated() && uidsRunning.contains(uids.uidOf(bot));
    }

    /**
     * The uids that own a process now, read from the owners of the {@code /proc/PID} directories. Not atomic: a
     * process that forks and exits while the pass runs may be missed — which at start only leaves that bot's own uid
     * a process of its own until the bot's first exit, when its sweep (a {@code kill -1} as the uid, atomic) takes
     * it; no other bot is ever exposed to it.
     */
    public static Set<Long> uidsRunning(Path proc) {
        Set<Long> out = new HashSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(proc)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || name.charAt(0) < '1' || name.charAt(0) > '9') {
                    continue;
                }
                try {
                    out.add(((Number) Files.getAttribute(p, "unix:uid",
                            LinkOption.NOFOLLOW_LINKS)).longValue());
                } catch (IOException gone) {
                    // exited while we looked
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + proc, e);
        }
        return out;
    }

    private static List<String> sweepAs(long uid) {
        return List.of(SETPRIV.toString(), "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--",
                KILL.toString(), "-KILL", "-1");
    }
}

package io.botvisor.supervisor.isolation;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.storage.DbFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where each bot's files live in the state dir, and — when bots have users of their own — who owns them. The table
 * (README, "The state dir"): root owns everything but a bot's events queue, home and tmp; a bot can enter only its own
 * directories ({@code root:BOT 0710}), so it can neither list nor open another's; the supervisor's secrets, the
 * control queues and the logs are root's alone ({@code 0700}/{@code 0600}); the metric files are root's and a group's
 * of the operator's choosing (node_exporter's), walls or not ({@link #prepareMetrics}). Each bot's queues are emptied at start
 * (nothing in them outlives the children that used them): what a bot planted there under an earlier uid or an earlier
 * version is gone. Used on the starting thread.
 */
public final class StateLayout {
    private static final long ROOT = 0;
    private final Path state;
    private final IpcLayout ipc;
    private final DbFiles db;

    StateLayout(Path state) {
        this.state = state;
        this.ipc = new IpcLayout(state);
        this.db = DbFiles.under(state);
    }

    /** A bot's own directory: {@code STATE/bots/ID}. */
    public Path botDir(String bot) {
        return state.resolve("bots").resolve(bot);
    }

    /** A bot's HOME, its private work directory (user.home for bot-runner). */
    public Path home(String bot) {
        return botDir(bot).resolve("home");
    }

    /** A bot's private temporary directory (TMPDIR, java.io.tmpdir). */
    public Path tmp(String bot) {
        return botDir(bot).resolve("tmp");
    }

    /** Where the supervisor writes a bot-runner child's spec ({@code STATE/run/ID}). */
    public Path runDir(String bot) {
        return state.resolve("run").resolve(bot);
    }

    /** Where the metric files go: {@code STATE/metrics} (node_exporter's textfile directory). */
    public Path metricsDir() {
        return state.resolve("metrics");
    }

    /**
     * Makes {@link #metricsDir} the supervisor's with group {@code group} (a name or number; null: the supervisor's own
     * group), mode 2750, walls or not: node_exporter, run in that group, lists and reads the files; a bot — neither
     * the owner nor in the group, since it has no supplementary groups — can neither write nor read them
     * (status.json names every bot of the fleet). Files made there take the group (setgid). Without walls bots run
     * as the supervisor's user and nothing keeps them out. Throws when the group does not exist or cannot be given.
     */
    public Path prepareMetrics(String group) throws IOException {
        Path dir = metricsDir();
        if (Files.isSymbolicLink(dir)) {
            Files.delete(dir);
        }
        Files.createDirectories(dir);
        if (group != null) {
            var view = Files.getFileAttributeView(dir, java.nio.file.attribute.PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            view.setGroup(dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group));
        }
        Fs.chmod(dir, "rwxr-s---");
        return dir;
    }

    /** The directories every bot needs, without owners (no walls). */
    void createBot(String bot) throws IOException {
        migrateOldHome(bot);
        Files.createDirectories(home(bot));
        Files.createDirectories(tmp(bot));
        Files.createDirectories(runDir(bot));
    }

    /** Root's parts: traversable where a bot must pass, closed where it must not look. */
    void prepareShared() throws IOException {
        Fs.dir(state, ROOT, ROOT, "rwx--x--x");
        for (String d : new String[] {"ipc", "run", "bots"}) {
            Fs.dir(state.resolve(d), ROOT, ROOT, "rwx--x--x");
        }
        Fs.dir(state.resolve("ipc").resolve("bots"), ROOT, ROOT, "rwx--x--x");
        Fs.dir(state.resolve("ipc").resolve("control"), ROOT, ROOT, "rwx------");
        Fs.dir(state.resolve("logs"), ROOT, ROOT, "rwx------");
        // The class-data archive is mapped by every bot-runner child.
        Path cds = state.resolve("cds");
        if (Files.isDirectory(cds, LinkOption.NOFOLLOW_LINKS)) {
            Fs.dir(cds, ROOT, ROOT, "rwxr-xr-x");
        }
        if (Files.isDirectory(db.root(), LinkOption.NOFOLLOW_LINKS)) {
            Fs.dir(db.root(), ROOT, ROOT, "rwx--x--x");
            // Bots pass through to their password files; the server's own files (its port, what it printed) are not
            // theirs to read: a bot knows the names.
            try (var files = Files.list(db.root())) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                        Fs.file(f, ROOT, ROOT, "rw-------");
                    }
                }
            }

            Path secrets = db.superuserPassword().getParent();
            if (Files.isDirectory(secrets, LinkOption.NOFOLLOW_LINKS)) {
                Fs.dir(secrets, ROOT, ROOT, "rwx--x--x");
                for (Path p : new Path[] {db.superuserPassword(), db.adminPassword()}) {
                    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                        Fs.file(p, ROOT, ROOT, "rw-------");
                    }
                }
            }
        }
    }

    /** One bot's parts, for uid:gid. */
    void prepareBot(String bot, long uid, long gid) throws IOException {
        migrateOldHome(bot);
        Path ipcDir = ipc.events(bot).getParent();
        Fs.dir(ipcDir, ROOT, gid, "rwx--x---");
        Fs.dir(ipc.commands(bot), ROOT, gid, "rwxr-s---");
        Fs.empty(ipc.commands(bot));
        Fs.dir(ipc.events(bot), uid, gid, "rwx------");
        Fs.empty(ipc.events(bot));
        Fs.dir(runDir(bot), ROOT, gid, "rwxr-x---");
        Fs.dir(botDir(bot), ROOT, gid, "rwx--x---");
        Path home = home(bot);
        boolean existed = Files.isDirectory(home, LinkOption.NOFOLLOW_LINKS);
        if (existed && Fs.ownerOf(home) != uid) {
            Fs.giveTree(home, uid, gid); // made before walls, or under another uid
        }
        Fs.dir(home, uid, gid, "rwx------");
        Fs.dir(tmp(bot), uid, gid, "rwx------");
        Fs.empty(tmp(bot));
        Path password = db.botPassword(bot);
        if (Files.exists(password, LinkOption.NOFOLLOW_LINKS)) {
            Fs.file(password, uid, gid, "r--------");
        }
    }

    /** Gives a file the supervisor wrote for the bot (its spec) to root:gid, readable by the bot only. */
    public void giveToGroup(Path file, long gid) throws IOException {
        Fs.file(file, ROOT, gid, "rw-r-----");
    }

    /** Homes lived in {@code STATE/home/ID} before walls: moved once, kept. */
    private void migrateOldHome(String bot) throws IOException {
        Path old = state.resolve("home").resolve(bot);
        if (Files.isDirectory(old, LinkOption.NOFOLLOW_LINKS) && !Files.exists(home(bot), LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(botDir(bot));
            Files.move(old, home(bot), StandardCopyOption.ATOMIC_MOVE);
        }
    }
}

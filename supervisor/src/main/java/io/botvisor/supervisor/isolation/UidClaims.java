package io.botvisor.supervisor.isolation;

import io.botvisor.supervisor.SupervisorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host-wide record of which uids running supervisors have given their bots, so that two supervisors on one host
 * (a staging fleet beside production, a chaos rehearsal, a second shard) never give the same uid to two bots: the
 * second would read the first's files, and each bot's exit would kill the other's processes ({@code kill -1} as the
 * uid, {@link Walls#sweep}). Each supervisor keeps a file {@code DIR/<hash of its state dir>.uids} ({@code bot=uid}
 * lines after a first line naming its pid and state dir) with a lock (fcntl) held for its whole life; the kernel
 * drops the lock when the process ends however it ends, so a file whose lock is free is a dead supervisor's and is
 * removed. Claims are made under {@code DIR/.lock}, so two starting supervisors see each other. A uid another live
 * supervisor gave a bot fails the start (or the reload that adds the bot) with both state dirs named. DIR
 * ({@code /run/botvisor/uids}) is root's, 0755, each file 0600: a bot cannot plant or squat a claim. Used by one
 * thread at a time.
 */
final class UidClaims implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UidClaims.class);
    static final Path HOST_DIR = Path.of("/run/botvisor/uids");
    private static final String SUFFIX = ".uids";
    private final Path dir;
    private final Path stateDir;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private UidClaims(Path dir, Path stateDir, Path file, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.stateDir = stateDir;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Claims {@code uids} (bot → uid) for the supervisor of {@code stateDir} in {@code dir}. Throws
     * {@link SupervisorException} when another live supervisor holds one of them; null (and a warning) when
     * {@code dir} cannot be used.
     */
    static UidClaims claim(Path dir, Path stateDir, Map<String, Long> uids) {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwxr-xr-x")));
            Path real = stateDir.toRealPath();
            Path file = dir.resolve(name(real));
            try (FileChannel dirLock = openDirLock(dir); FileLock held = dirLock.lock()) {
                FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.READ), PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
                try {
                    FileLock lock = channel.tryLock();
                    if (lock == null) {
                        // The state dir's own lock keeps a second supervisor off it, and a dead process holds no
                        // lock: only a process this one did not expect can hold it.
                        throw new SupervisorException("the uid claim " + file + " of state dir " + real + " is held "
                                + "by another process");
                    }
                    UidClaims claims = new UidClaims(dir, real, file, channel, lock);
                    claims.record(uids);
                    return claims;
                } catch (RuntimeException | IOException e) {
                    channel.close();
                    throw e;
                }
            }
        } catch (IOException e) {
            // The walls between this fleet's bots stand without it; only another supervisor's are not checked.
            log.warn("cannot record the bots' uids in {}: {}; a second supervisor on this host with an overlapping "
                    + "supervisor.botUids range would not be noticed", dir, e.toString());
            return null;
        }
    }

    /**
     * Records {@code uids} as this supervisor's, after checking no other live supervisor holds one of them; throws
     * {@link SupervisorException} (naming the bot, the uid and the other state dir) and records nothing when one does.
     */
    void update(Map<String, Long> uids) {
        try (FileChannel dirLock = openDirLock(dir); FileLock held = dirLock.lock()) {
            record(uids);
        } catch (IOException e) {
            throw new SupervisorException("cannot record the bots' uids in " + file + ": " + e, e);
        }
    }

    private static FileChannel openDirLock(Path dir) throws IOException {
        return FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    /** {@link #update}, the directory's lock held. */
    private void record(Map<String, Long> uids) throws IOException {
        Map<Long, String> ours = new TreeMap<>();
        uids.forEach((bot, uid) -> ours.put(uid, bot));
        List<String> clashes = new ArrayList<>();
        for (Other other : others()) {
            other.uids.forEach((bot, uid) -> {
                if (ours.containsKey(uid)) {
                    clashes.add("bot '" + ours.get(uid) + "' would run as uid " + uid + ", which bot '" + bot
                            + "' of the supervisor with state dir " + other.stateDir + " (" + other.pid + ") runs as");
                }
            });
        }
        if (!clashes.isEmpty()) {
            throw new SupervisorException(String.join("; ", clashes) + ": give each supervisor on a host its own "
                    + "supervisor.botUids range");
        }
        StringBuilder sb = new StringBuilder("pid " + ProcessHandle.current().pid() + " state " + stateDir + "\n");
        new TreeMap<>(uids).forEach((bot, uid) -> sb.append(bot).append('=').append(uid).append('\n'));
        ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
        channel.truncate(0);
        while (buf.hasRemaining()) {
            channel.write(buf, buf.position());
        }
        channel.force(false);
    }

    private record Other(String pid, String stateDir, Map<String, Long> uids) {
    }

    /** The claims of the other live supervisors; a dead one's file (its lock free) is removed. */
    private List<Other> others() throws IOException {
        List<Other> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : s) {
                if (p.equals(file)) {
                    continue; // opening our own file again and closing it would drop our lock (fcntl)
                }
                Other o = liveOrRemove(p);
                if (o != null) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    private static Other liveOrRemove(Path p) throws IOException {
        List<String> lines;
        try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe;
            try {
                probe = c.tryLock();
            } catch (OverlappingFileLockException e) {
                probe = null; // this JVM holds it: a live supervisor (in tests, one per state dir in one JVM)
            }
            if (probe != null) {
                log.info("removing the uid claim {} of a supervisor that is gone", p);
                Files.deleteIfExists(p);
                probe.release();
                return null;
            }
            lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException gone) {
            return null;
        }
        String head = lines.isEmpty() ? "" : lines.get(0);
        int state = head.indexOf(" state ");
        String pid = state > 0 ? head.substring(0, state) : "pid unknown";
        String stateDir = state > 0 ? head.substring(state + " state ".length()) : "(unknown, " + p + ")";
        Map<String, Long> uids = new TreeMap<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            int eq = line.lastIndexOf('=');
            if (eq > 0 && line.substring(eq + 1).matches("\\d{1,10}")) {
                uids.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
            }
        }
        return new Other(pid, stateDir, uids);
    }

    /** The claim file's name: a hash of the state dir's real path (a path may be longer than a name may). */
    static String name(Path realStateDir) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(realStateDir.toString()
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12) + SUFFIX;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Drops the claim: the file goes, then the lock (with the channel). */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
            lock.release();
            channel.close();
        } catch (IOException e) {
            log.warn("cannot drop the uid claim {}: {}", file, e.toString());
        }
    }
}

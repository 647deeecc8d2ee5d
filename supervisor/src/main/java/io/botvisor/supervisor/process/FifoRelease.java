package io.botvisor.supervisor.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Frees a thread blocked in open(2) of a FIFO for reading. A bot can plant a FIFO in its events directory (or a
 * symlink to one) under a name Chronicle will open; Chronicle's O_RDONLY open of it waits for a writer, forever. Opening
 * the FIFO read-write here counts as that writer (on Linux an O_RDWR open of a FIFO never blocks), so the blocked open
 * returns; it is closed at once, nothing written.
 * <p>Only FIFOs are opened, never with more rights than the bot has: a FIFO or symlink that the supervisor's own uid
 * owns is opened in this process (a FIFO without following symlinks); one that another uid owns — the bot's, when it
 * runs under a uid of its own — is opened by a short {@code setpriv} child running as that uid, so a symlink the bot
 * points at a device, or at a FIFO only root may open, gets the bot's rights, not root's. Stateless; thread-safe.
 */
public final class FifoRelease {
    /** A directory with more entries than a queue ever has is not listed further. */
    static final int MAX_ENTRIES = 1024;
    static final Duration OPENER_TIMEOUT = Duration.ofSeconds(5);
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private FifoRelease() {
    }

    /** The entries of {@code dir} that are FIFOs or symlinks to FIFOs: what a blocked reader there may wait on. */
    public static List<Path> candidates(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        int seen = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (++seen > MAX_ENTRIES) {
                    break;
                }
                if (isFifo(p, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(p) && isFifo(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /**
     * Opens {@code entry} (one of {@link #candidates}) read-write and closes it, with the rights of its owner as
     * described above; returns how, for the log. Throws when it could not.
     */
    public static String release(Path entry) throws IOException {
        int owner = (Integer) Files.getAttribute(entry, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        boolean link = Files.isSymbolicLink(entry);
        if (owner == self) {
            try (FileChannel c = link
                    ? FileChannel.open(entry, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(entry, StandardOpenOption.READ, StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS)) {
                return "opened " + entry.getFileName() + (link ? " (a symlink to a FIFO)" : " (a FIFO)") + " for writing";
            }
        }
        int group = (Integer) Files.getAttribute(entry, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        String uid = Integer.toUnsignedString(owner);
        // dash's <> is O_RDWR|O_CREAT: at worst it creates a file the bot could have created itself.
        Process p = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + Integer.toUnsignedString(group),
                "--clear-groups", "--no-new-privs", "--", "/bin/sh", "-c", "exec 3<>\"$1\"", "sh", entry.toString())
                .redirectErrorStream(true).start();
        try {
            if (!p.waitFor(OPENER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("opening " + entry + " as uid " + uid + " did not finish within "
                        + OPENER_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening " + entry + " as uid " + uid, e);
        }
        String said = new String(p.getInputStream().readNBytes(400)).trim().replace('\n', ' ');
        if (p.exitValue() != 0) {
            throw new IOException("opening " + entry + " as uid " + uid + " failed (exit " + p.exitValue() + "): "
                    + said);
        }
        return "opened " + entry.getFileName() + (link ? " (a symlink to a FIFO)" : " (a FIFO)")
                + " for writing as its owner, uid " + uid;
    }

    private static boolean isFifo(Path p, LinkOption... options) {
        try {
            return ((Integer) Files.getAttribute(p, "unix:mode", options) & S_IFMT) == S_IFIFO;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}

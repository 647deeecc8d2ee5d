package io.botvisor.supervisor.isolation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Empties a directory a bot can write (its events queue's) on behalf of a supervisor that may be root, without ever
 * following a symlink: every entry is reached through the descriptor of the directory that holds it
 * ({@link SecureDirectoryStream}: openat/unlinkat), so a bot that swaps a subdirectory for a symlink while the wipe
 * runs gets an error, never a root deletion elsewhere. Symlinks, FIFOs, sockets and files are unlinked (their targets
 * are untouched; a FIFO is never opened); subdirectories are emptied, then removed. The directory itself stays, with
 * its owner and mode. Stateless; thread-safe.
 */
public final class DirectoryWipe {
    /** Deeper nesting than a queue ever has is left in place (and reported) rather than recursed into. */
    static final int MAX_DEPTH = 16;

    private DirectoryWipe() {
    }

    /** What a wipe removed, and what it left (each with why). */
    public record Result(int removed, List<String> left) {
    }

    /**
     * Removes everything inside {@code dir}. {@code dir} itself must be a directory, reached without a symlink in its
     * last component. Throws {@link UncheckedIOException} when {@code dir} cannot be opened; an entry that cannot be
     * removed is listed in the result and the rest are removed anyway.
     */
    public static Result empty(Path dir) {
        return wipe(dir, false);
    }

    /**
     * As {@link #empty}, but regular files directly in {@code dir} stay: everything else there (symlinks, FIFOs,
     * sockets, subdirectories with what they hold) goes.
     */
    public static Result removeAllButFiles(Path dir) {
        return wipe(dir, true);
    }

    private static Result wipe(Path dir, boolean keepFiles) {
        Path parent = dir.toAbsolutePath().getParent();
        Path name = dir.getFileName();
        List<String> left = new ArrayList<>();
        int[] removed = {0};
        try (DirectoryStream<Path> up = Files.newDirectoryStream(parent)) {
            SecureDirectoryStream<Path> p = secure(up, parent);
            try (SecureDirectoryStream<Path> d = p.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                emptyInto(d, dir, 0, keepFiles, removed, left);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + dir + ": " + e, e);
        }
        return new Result(removed[0], List.copyOf(left));
    }

    private static void emptyInto(SecureDirectoryStream<Path> d, Path where, int depth, boolean keepFiles,
                                  int[] removed, List<String> left) {
        // Names first, deletions after: a directory is not changed while its stream is being read.
        List<Path> names = new ArrayList<>();
        d.iterator().forEachRemaining(p -> names.add(p.getFileName()));
        for (Path n : names) {
            Path shown = where.resolve(n);
            try {
                BasicFileAttributes a = d.getFileAttributeView(n, BasicFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).readAttributes();
                if (a.isDirectory()) {
                    if (depth + 1 >= MAX_DEPTH) {
                        left.add(shown + ": nested deeper than " + MAX_DEPTH + " directories");
                        continue;
                    }
                    try (SecureDirectoryStream<Path> sub = d.newDirectoryStream(n, LinkOption.NOFOLLOW_LINKS)) {
                        emptyInto(sub, shown, depth + 1, false, removed, left);
                    }
                    d.deleteDirectory(n);
                } else if (keepFiles && a.isRegularFile()) {
                    continue;
                } else {
                    d.deleteFile(n);
                }
                removed[0]++;
            } catch (NoSuchFileException e) {
                // Gone already.
            } catch (IOException | RuntimeException e) {
                left.add(shown + ": " + e);
            }
        }
    }

    private static SecureDirectoryStream<Path> secure(DirectoryStream<Path> s, Path dir) throws IOException {
        if (s instanceof SecureDirectoryStream<Path> sds) {
            return sds;
        }
        throw new IOException(dir + ": this platform has no openat-based directory streams, needed to empty a "
                + "directory a bot can write without following its symlinks");
    }
}

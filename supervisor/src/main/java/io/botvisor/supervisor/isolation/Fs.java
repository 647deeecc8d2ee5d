package io.botvisor.supervisor.isolation;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipalLookupService;

/**
 * Owners and modes of the state dir's files, by numeric id (bot uids have no /etc/passwd entry). Never follows a
 * symlink: a bot may plant one in any directory it can write, aimed at a file it must not have. Stateless.
 */
final class Fs {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private Fs() {
    }

    /** Creates {@code dir} if missing (not through a symlink), then sets its owner, group and mode. */
    static void dir(Path dir, long uid, long gid, String mode) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            Files.delete(dir);
        }
        Files.createDirectories(dir);
        own(dir, uid, gid);
        chmod(dir, mode);
    }

    /** Sets owner, group and mode of {@code file} (never the target of a symlink: a symlink is refused). */
    static void file(Path file, long uid, long gid, String mode) throws IOException {
        if (Files.isSymbolicLink(file)) {
            throw new IOException(file + " is a symlink (expected a regular file)");
        }
        own(file, uid, gid);
        chmod(file, mode);
    }

    /**
     * {@code mode} as ls shows it ({@code rwxr-s---}): PosixFilePermissions has no setgid bit, which a bot's commands
     * directory needs (new cycle files take its group).
     */
    static void chmod(Path path, String mode) throws IOException {
        if (mode.length() != 9) {
            throw new IllegalArgumentException("mode " + mode + " is not 9 characters");
        }
        int bits = 0;
        for (int i = 0; i < 9; i++) {
            char c = mode.charAt(i);
            if (c != '-') {
                bits |= 1 << (8 - i);
            }
        }
        if (mode.charAt(5) == 's') {
            bits |= 02000;
        }
        Files.setAttribute(path, "unix:mode", bits);
    }

    static void own(Path path, long uid, long gid) throws IOException {
        UserPrincipalLookupService ids = path.getFileSystem().getUserPrincipalLookupService();
        var view = Files.getFileAttributeView(path, java.nio.file.attribute.PosixFileAttributeView.class, NOFOLLOW);
        // lookupPrincipalByName takes a decimal id for a user or group that has no name.
        view.setOwner(ids.lookupPrincipalByName(Long.toString(uid)));
        view.setGroup(ids.lookupPrincipalByGroupName(Long.toString(gid)));
    }

    /** The numeric owner of {@code path} itself (not a symlink's target). */
    static long ownerOf(Path path) throws IOException {
        return ((Number) Files.getAttribute(path, "unix:uid", NOFOLLOW)).longValue();
    }

    /**
     * Deletes what is inside {@code dir} ({@link DirectoryWipe}: through the directory's descriptor, symlinks
     * themselves, never their targets); keeps {@code dir}. Throws when anything was left.
     */
    static void empty(Path dir) throws IOException {
        if (!Files.isDirectory(dir, NOFOLLOW)) {
            return;
        }
        try {
            DirectoryWipe.Result r = DirectoryWipe.empty(dir);
            if (!r.left().isEmpty()) {
                throw new IOException("cannot empty " + dir + ": " + String.join("; ", r.left()));
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Gives {@code dir} and everything in it to uid:gid (a bot's home after its uid changed, or made before walls).
     * Only directories and files with one link are given away: a hard link to a file the bot must not have (made
     * where fs.protected_hardlinks is off) stays as it is.
     */
    static void giveTree(Path dir, long uid, long gid) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                own(d, uid, gid);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && ((Number) Files.getAttribute(file, "unix:nlink", NOFOLLOW)).intValue() == 1) {
                    own(file, uid, gid);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}

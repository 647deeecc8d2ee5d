package io.botvisor.runner.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * {@link AttackBot}'s {@code find-db-password}: looks for the external database's admin password variable in its
 * own environment, in every process environment {@code /proc} lets it read, and in every file under the state dir it
 * can read, and for the secrets it already read anywhere but in the files they came from. The walk is bounded (depth,
 * files, 1 MB a file), follows no symlink, opens regular files only (never a FIFO or the doorbell socket), and skips
 * the server's data directory (binary, and PostgreSQL keeps no password in clear) and this bot's own logs (what it
 * prints is its own). Confined to the attack thread.
 */
final class PasswordHunt {
    /**
     * Assembled at run time (a literal, even one split with {@code +}, would be one constant in the class file), so
     * that no copy of this class under the state dir, such as the class-data archive, holds the name whole.
     */
    static final String VARIABLE = String.join("_", "BOTVISOR", "DB", "PASSWORD");
    static final long MAX_FILE_BYTES = 1 << 20;
    static final int MAX_FILES = 20_000;
    static final int MAX_DEPTH = 16;
    private final Target target;

    PasswordHunt(Target target) {
        this.target = target;
    }

    Outcome run(List<Loot> loot, Map<String, String> ownEnvironment) {
        List<String> found = new ArrayList<>();
        if (ownEnvironment.containsKey(VARIABLE)) {
            found.add("in its own environment");
        }
        int[] environs = {0, 0}; // read, refused
        List<Long> pids = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(ProcAttacks.PROC, "[0-9]*")) {
            for (Path p : ds) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid == self) {
                    continue; // its own environment was looked at above
                }
                try {
                    String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
                    environs[0]++;
                    if (env.contains(VARIABLE + "=") || containsLoot(env, loot, null)) {
                        pids.add(pid);
                    }
                } catch (IOException e) {
                    environs[1]++; // refused, or the process is gone
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Outcome.error("cannot list /proc: " + Outcome.describe(e));
        }
        if (!pids.isEmpty()) {
            found.add("in the environment of " + pids.size() + " processes (pids " + pids.subList(0,
                    Math.min(3, pids.size())) + (pids.size() > 3 ? "…" : "") + ")");
        }
        Walk walk = new Walk(loot);
        try {
            Files.walkFileTree(target.state(), EnumSet.noneOf(java.nio.file.FileVisitOption.class), MAX_DEPTH, walk);
        } catch (IOException e) {
            return Outcome.error("walking " + target.show(target.state()) + ": " + Outcome.describe(e));
        }
        if (!walk.hits.isEmpty()) {
            found.add("in " + walk.hits.size() + " files (" + String.join(", ", walk.hits.subList(0,
                    Math.min(3, walk.hits.size()))) + ")");
        }
        String searched = "its own environment, " + environs[0] + " process environments (" + environs[1]
                + " refused), " + walk.files + " files under STATE (" + walk.refused + " refused" + (walk.capped
                ? ", stopped at " + MAX_FILES : "") + ")";
        return found.isEmpty() ? Outcome.blocked("found nothing in " + searched)
                : Outcome.escaped("found the password or its variable " + String.join("; ", found));
    }

    /** A secret value in {@code text}, not counting the file the secret came from. */
    private static boolean containsLoot(String text, List<Loot> loot, Path file) {
        return loot.stream().anyMatch(l -> l.value().length() >= 8 && !l.source().equals(file)
                && text.contains(l.value())); // shorter values would match by chance
    }

    /** The bounded walk over the state dir; counts what it read and what it was refused. */
    private final class Walk extends SimpleFileVisitor<Path> {
        private final List<Loot> loot;
        final List<String> hits = new ArrayList<>();
        int files;
        int refused;
        boolean capped;

        Walk(List<Loot> loot) {
            this.loot = loot;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return dir.equals(target.dbData()) || dir.equals(target.ownLogs()) ? FileVisitResult.SKIP_SUBTREE
                    : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (!attrs.isRegularFile() || attrs.size() > MAX_FILE_BYTES) {
                return FileVisitResult.CONTINUE;
            }
            if (++files > MAX_FILES) {
                capped = true;
                return FileVisitResult.TERMINATE;
            }
            try {
                String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                if (text.contains(VARIABLE) || containsLoot(text, loot, file)) {
                    hits.add(target.show(file));
                }
            } catch (IOException e) {
                refused++;
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
            refused++; // a directory it may not open, or a file gone since the listing
            return FileVisitResult.CONTINUE;
        }
    }
}

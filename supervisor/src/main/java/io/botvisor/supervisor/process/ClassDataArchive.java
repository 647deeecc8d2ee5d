package io.botvisor.supervisor.process;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AppCDS archive every bot-runner child maps at start: the ~2,800 classes a child loads before READY (most of
 * them Chronicle Queue's), parsed and verified once instead of in every JVM. Measured: a child's start to READY falls
 * from ~450 ms to ~265 ms (BENCHMARKS.md). JDK 17 has no automatic archive, so the supervisor records one itself: one
 * training run of bot-runner ({@code --cds-training}) with {@code -XX:ArchiveClassesAtExit}, into
 * {@code <state>/cds/runner-<key>.jsa}. The key hashes the JDK, every classpath jar's name, size and mtime, and the
 * JVM flags, so a rebuilt runner or an upgraded JDK gets a fresh archive and a stale one is never offered.
 * Everything here is an optimisation: when the archive cannot be made (a classpath directory, a failed training run)
 * children start without it and the reason is logged.
 */
public final class ClassDataArchive {
    private static final Logger log = LoggerFactory.getLogger(ClassDataArchive.class);
    static final Duration TRAINING_TIMEOUT = Duration.ofSeconds(60);

    private ClassDataArchive() {
    }

    /**
     * Returns the archive for these settings, recording it first when missing; empty when children must start
     * without one. Blocks for the training run (about a second) the first time only.
     */
    public static Optional<Path> prepare(LaunchSettings settings) {
        List<Path> jars = new ArrayList<>();
        for (String entry : settings.runnerClasspath().split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Optional<String> unusable = expand(entry, jars);
            if (unusable.isPresent()) {
                log.info("class-data sharing for bot-runner children is off: {}", unusable.get());
                return Optional.empty();
            }
        }
        Path dir = settings.stateDir().resolve("cds");
        Path archive = dir.resolve("runner-" + key(settings, jars) + ".jsa");
        if (Files.isRegularFile(archive)) {
            log.info("bot-runner children map the class-data archive {}", archive);
            return Optional.of(archive);
        }
        try {
            Files.createDirectories(dir);
            removeStale(dir, archive);
            return train(settings, archive) ? Optional.of(archive) : Optional.empty();
        } catch (IOException e) {
            log.warn("class-data sharing for bot-runner children is off: cannot write {}: {}", dir, e.toString());
            return Optional.empty();
        }
    }

    /** Adds the jars of one classpath entry; says why the entry cannot be archived, if it cannot. */
    private static Optional<String> expand(String entry, List<Path> jars) {
        if (entry.endsWith("*")) {
            Path d = Path.of(entry.substring(0, entry.length() - 1));
            TreeSet<Path> found = new TreeSet<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "*.{jar,JAR}")) {
                s.forEach(found::add);
            } catch (IOException e) {
                return Optional.of("cannot list classpath entry " + entry + ": " + e);
            }
            jars.addAll(found);
            return Optional.empty();
        }
        Path p = Path.of(entry);
        if (Files.isDirectory(p)) {
            return Optional.of("classpath entry " + entry + " is a directory (the JVM archives classes from jars "
                    + "only; scripts/botvisor uses the packaged jar)");
        }
        jars.add(p);
        return Optional.empty();
    }

    static String key(LaunchSettings settings, List<Path> jars) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            StringBuilder sb = new StringBuilder();
            sb.append(settings.javaBinary().toRealPath()).append('\n')
                    .append(System.getProperty("java.vm.version")).append('\n')
                    .append(settings.runnerClasspath()).append('\n');
            for (Path j : jars) {
                sb.append(j).append(' ').append(Files.size(j)).append(' ')
                        .append(Files.getLastModifiedTime(j).toMillis()).append('\n');
            }
            settings.runnerJvmFlags().forEach(f -> sb.append(f).append('\n'));
            return HexFormat.of().formatHex(md.digest(sb.toString().getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (IOException | NoSuchAlgorithmException e) {
            // An unreadable jar will fail the launch itself with a clear message; no archive for it.
            return "unkeyed-" + System.nanoTime();
        }
    }

    private static void removeStale(Path dir, Path keep) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "runner-*")) {
            for (Path p : s) {
                if (!p.equals(keep)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static boolean train(LaunchSettings settings, Path archive) throws IOException {
        Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp");
        Path work = Files.createTempDirectory(archive.getParent(), "training-");
        Path logFile = archive.getParent().resolve("training.log");
        CommandLine cl = new CommandLine(settings.javaBinary().toString());
        cl.addArgument("-Xmx64m", false);
        settings.runnerJvmFlags().forEach(f -> cl.addArgument(f, false));
        cl.addArgument("-XX:ArchiveClassesAtExit=" + tmp, false);
        cl.addArgument("-cp", false);
        cl.addArgument(settings.runnerClasspath(), false);
        cl.addArgument(LaunchSettings.RUNNER_MAIN, false);
        cl.addArgument("--cds-training", false);
        cl.addArgument(work.toString(), false);
        long t0 = System.nanoTime();
        int exit;
        try (OutputStream out = Files.newOutputStream(logFile)) {
            DefaultExecutor executor = DefaultExecutor.builder().get();
            executor.setStreamHandler(new PumpStreamHandler(out));
            executor.setWatchdog(ExecuteWatchdog.builder().setTimeout(TRAINING_TIMEOUT).get());
            executor.setExitValues(null);
            exit = executor.execute(cl);
        } catch (ExecuteException e) {
            exit = e.getExitValue();
        } finally {
            deleteTree(work);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (exit != 0 || !Files.isRegularFile(tmp) || Files.size(tmp) == 0) {
            Files.deleteIfExists(tmp);
            log.warn("class-data sharing for bot-runner children is off: the training run exited with {} after {} ms "
                    + "(see {})", exit, ms, logFile);
            return false;
        }
        Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        log.info("recorded the class-data archive {} for bot-runner children in {} ms", archive, ms);
        return true;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

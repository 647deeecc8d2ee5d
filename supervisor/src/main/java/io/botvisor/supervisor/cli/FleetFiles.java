package io.botvisor.supervisor.cli;

import io.botvisor.supervisor.SupervisorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Which fleet file a command reads. {@code botvisor run} reads {@code --config} (default {@code ./fleet.yaml}) and
 * remembers it, as an absolute path, in {@code STATE/fleet-file}. A {@code botvisor db} command reads, in this order:
 * its {@code --config}; the file the supervisor of its state dir last started with; {@code ./fleet.yaml}. The file a
 * supervisor ran with is what its database was made from, so it beats a guess from the working directory; an
 * explicit {@code --config} beats both. A missing file is one line naming it and what to do, never a stack trace.
 * Stateless.
 */
final class FleetFiles {
    static final Path DEFAULT = Path.of("fleet.yaml");
    /** In the state dir: the absolute path of the fleet file its supervisor last started with. */
    static final String MEMO = "fleet-file";

    /** The fleet file chosen, and why (for the log). */
    record Choice(Path file, String why) {
    }

    private FleetFiles() {
    }

    /**
     * Why {@code config} cannot be read, or null when it is a readable file. {@code example}: a command line that
     * names a fleet file, for the hint.
     */
    static String missing(Path config, String example) {
        if (Files.isRegularFile(config) && Files.isReadable(config)) {
            return null;
        }
        String what = Files.isDirectory(config) ? "is a directory, not a fleet file"
                : Files.exists(config) ? "cannot be read (permissions)" : "does not exist";
        return "fleet file " + config + " " + what + (config.isAbsolute() ? "" : " (in " + Path.of("").toAbsolutePath()
                + ")") + "; name the fleet file with --config FILE, e.g. '" + example + "'";
    }

    /** The fleet file of a {@code db} command: see the class comment. Throws SupervisorException when none is found. */
    static Choice forDb(Path given, Path stateDir) {
        if (given != null) {
            String problem = missing(given, "botvisor db --config /etc/botvisor/fleet.yaml status");
            if (problem != null) {
                throw new SupervisorException(problem);
            }
            return new Choice(given, "--config");
        }
        Path memo = stateDir.resolve(MEMO);
        if (Files.isRegularFile(memo)) {
            Path remembered;
            try {
                remembered = Path.of(Files.readString(memo, StandardCharsets.UTF_8).strip());
            } catch (IOException | RuntimeException e) {
                throw new SupervisorException("cannot read " + memo + " (the fleet file the supervisor of " + stateDir
                        + " started with): " + e + "; name the fleet file with --config FILE");
            }
            if (!Files.isRegularFile(remembered)) {
                throw new SupervisorException("fleet file " + remembered + " (the one the supervisor of " + stateDir
                        + " started with, remembered in " + memo + ") does not exist any more; name the fleet file "
                        + "with --config FILE");
            }
            return new Choice(remembered, "the supervisor of " + stateDir + " started with it (" + memo + ")");
        }
        if (Files.isRegularFile(DEFAULT)) {
            return new Choice(DEFAULT, "./fleet.yaml");
        }
        throw new SupervisorException("no fleet file: --config was not given, no supervisor has run with state dir "
                + stateDir + " (no " + memo + "), and there is no fleet.yaml in " + Path.of("").toAbsolutePath()
                + "; name the fleet file with --config FILE, or the state dir of a supervisor that ran with "
                + "--state-dir DIR");
    }

    /**
     * Records {@code config} as the fleet file of {@code stateDir}'s supervisor (temp file, then an atomic rename: a
     * db command never reads half a path). Called once the supervisor holds the state dir.
     */
    static void remember(Path stateDir, Path config) throws IOException {
        Path memo = stateDir.resolve(MEMO);
        Path tmp = stateDir.resolve(MEMO + ".tmp");
        Files.writeString(tmp, config.toAbsolutePath().normalize() + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, memo, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

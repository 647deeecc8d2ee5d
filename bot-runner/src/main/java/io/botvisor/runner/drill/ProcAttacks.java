package io.botvisor.runner.drill;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@link AttackBot}'s attempts on other processes through {@code /proc} and {@code kill}: the peer's and the
 * supervisor's environment, the peer's argv, permission to signal them ({@code kill -0} only: no signal is ever
 * delivered), ptrace access to the peer. Confined to the attack thread.
 */
final class ProcAttacks {
    static final Path PROC = Path.of("/proc");
    /** What in an argv looks like a secret handed over on the command line. */
    private static final Pattern SECRET_ARG = Pattern.compile("(?i)(password|passwd|secret|token)[=:]\\S");
    private static final long KILL_WAIT_SECONDS = 10;
    private final Target target;

    ProcAttacks(Target target) {
        this.target = target;
    }

    /**
     * The peer's pid: the process whose argv holds {@code -Duser.home=} one of the peer's homes (the supervisor gives
     * every bot-runner child its own), or empty when no such process is visible.
     */
    OptionalLong findPeer() {
        Set<String> wanted = target.homes(target.peer()).stream().map(h -> "-Duser.home=" + h)
                .collect(Collectors.toSet());
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path p : ds) {
                if (List.of(args(p)).stream().anyMatch(wanted::contains)) {
                    return OptionalLong.of(Long.parseLong(p.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    private static String[] args(Path procDir) {
        try {
            return new String(Files.readAllBytes(procDir.resolve("cmdline")), StandardCharsets.UTF_8).split("\0");
        } catch (IOException e) {
            return new String[0]; // gone, or hidden: not the peer as far as we can tell
        }
    }

    /** The supervisor's pid: our parent, read from {@code /proc/self/stat} (field 4, after the name in parens). */
    static long supervisorPid() throws IOException {
        String stat = Files.readString(PROC.resolve("self").resolve("stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    }

    /** Whether {@code /proc} shows this pid at all (with {@code hidepid} it shows only our own uid's). */
    static boolean visible(long pid) {
        return Files.isDirectory(PROC.resolve(Long.toString(pid)));
    }

    Outcome readEnviron(long pid, String whose) {
        Path file = PROC.resolve(Long.toString(pid)).resolve("environ");
        try {
            return Outcome.escaped("read " + Files.readAllBytes(file).length + " bytes of the " + whose
                    + "'s environment (pid " + pid + ")");
        } catch (IOException | RuntimeException e) {
            return failed(pid, e);
        }
    }

    /** A failure on a process that has exited since it was found says nothing about a wall. */
    private static Outcome failed(long pid, Throwable e) {
        return visible(pid) ? Outcome.failed(e) : Outcome.error("process " + pid + " exited during the attempt: "
                + Outcome.describe(e));
    }

    /**
     * The peer's argv: visible to every uid without {@code hidepid}, so informational, unless it holds something
     * that looks like a secret or a secret value this bot read elsewhere.
     */
    Outcome readCmdline(long pid, List<Loot> loot) {
        try {
            String argv = new String(Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
            boolean holdsLoot = loot.stream().anyMatch(l -> !l.value().isEmpty() && argv.contains(l.value()));
            if (holdsLoot || SECRET_ARG.matcher(argv).find()) {
                return Outcome.escaped("the peer's argv (" + argv.length() + " chars) holds what looks like a secret");
            }
            return Outcome.visible("not a secret: argv holds no secrets");
        } catch (IOException | RuntimeException e) {
            return failed(pid, e);
        }
    }

    /** {@code kill -0 PID}: the permission check of a signal, without a signal. */
    Outcome signal(long pid, String whose) {
        try {
            Process p = new ProcessBuilder("kill", "-0", Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Outcome.error("kill -0 " + pid + " did not finish in " + KILL_WAIT_SECONDS + " s");
            }
            if (p.exitValue() == 0) {
                return Outcome.escaped("kill -0 " + pid + " succeeded: it may signal the " + whose);
            }
            return out.contains("Operation not permitted") ? Outcome.blocked("kill -0 " + pid + ": " + out)
                    : Outcome.error("kill -0 " + pid + " exited " + p.exitValue() + ": " + out);
        } catch (IOException e) {
            return Outcome.error("cannot run kill: " + Outcome.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.error("interrupted");
        }
    }

    /** Opens {@code /proc/PID/mem} and reads {@code /proc/PID/maps}: both need ptrace access to the process. */
    Outcome ptrace(long pid) {
        Path dir = PROC.resolve(Long.toString(pid));
        Outcome mem;
        try (FileChannel c = FileChannel.open(dir.resolve("mem"), StandardOpenOption.READ)) {
            mem = Outcome.escaped("opened the peer's memory (pid " + pid + ") for reading");
        } catch (IOException | RuntimeException e) {
            mem = failed(pid, e);
        }
        Outcome maps;
        try {
            maps = Outcome.escaped("read " + Files.readAllBytes(dir.resolve("maps")).length + " bytes of the peer's "
                    + "memory map (pid " + pid + ")");
        } catch (IOException | RuntimeException e) {
            maps = failed(pid, e);
        }
        for (Outcome.Kind k : List.of(Outcome.Kind.ESCAPED, Outcome.Kind.ERROR)) {
            for (Outcome o : List.of(mem, maps)) {
                if (o.kind() == k) {
                    return o; // an escape first; else an error, which leaves the question open
                }
            }
        }
        return Outcome.blocked("mem: " + mem.detail() + "; maps: " + maps.detail());
    }
}

package io.botvisor.supervisor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.botvisor.ipc.Units;
import io.botvisor.supervisor.control.ControlClient;
import io.botvisor.supervisor.control.StatusSocket;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code botvisor ctl top}: the fleet, live, one row per bot, refreshed every second; or one frame with
 * {@code --once}. The figures come from {@code STATE/metrics/status.json} while the supervisor keeps it current
 * (written every few seconds and on every change of a bot's state anyway, so watching costs the supervisor nothing),
 * else from one {@code status --json} call per refresh. Runs on the caller's thread; {@link TopTerminal} reads keys on
 * one of its own.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = "The fleet live: state, health, CPU %, memory, restarts, pool and heartbeat age of every bot, "
                + "refreshed every second; keys sort it (c cpu, m memory, r restarts, h health, a heartbeat, s state, "
                + "n name), q quits. Exit codes: 0 done, 1 unreadable status, 2 bad command line or no terminal, "
                + "3 no supervisor, 4 no reply.",
        footer = {"%nExamples:", "  botvisor ctl --state-dir /var/lib/botvisor top",
                "  botvisor ctl top --once --sort memory | head -20"})
public final class TopCommand implements Callable<Integer> {
    /** A metric file older than this is not used: metric files off, a long interval, or a supervisor that stopped. */
    static final Duration FRESH = Duration.ofSeconds(10);
    static final Duration REFRESH = Duration.ofSeconds(1);

    /** Where the figures come from: the metric file when it is fresh, else a status call ({@code auto}). */
    enum Source { AUTO, FILE, CTL }

    @Option(names = "--state-dir", defaultValue = "state", paramLabel = "DIR",
            description = "State dir of the supervisor (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--timeout", defaultValue = "3s", paramLabel = "DURATION",
            description = "How long to wait for each status reply (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--once", description = "Print one frame and exit (no terminal control when the output is not "
            + "a terminal; CPU % needs two frames, so it is '-').")
    boolean once;

    @Option(names = "--sort", defaultValue = "cpu", paramLabel = "COLUMN",
            description = "cpu, memory, restarts, health, heartbeat, state or name (default: ${DEFAULT-VALUE}).")
    TopRenderer.Sort sort;

    @Option(names = "--source", defaultValue = "auto", paramLabel = "SOURCE",
            description = "auto (the metric file STATE/metrics/status.json while it is less than 10 s old, else a "
                    + "status call per refresh), file or ctl (default: ${DEFAULT-VALUE}).")
    Source source;

    /** An instance field: Main asks {@link #handles} of every command, which must not build Jackson (~20 ms). */
    private final ObjectMapper json = new ObjectMapper();
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    TopCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    /** {@code botvisor ctl [--state-dir DIR] [--timeout T] top …}: whether {@code args} ask for top. */
    public static boolean handles(String[] args) {
        return commandAt(args) >= 0;
    }

    /** The command line that runs top, given {@code ctl}'s and top's arguments ({@link #ownArgs}). */
    public static CommandLine commandLine(Map<String, String> env) {
        return commandLine(System.out, System.err, env);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err, Map<String, String> env) {
        return new CommandLine(new TopCommand(out, err, env)).setCommandName("botvisor ctl top")
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    }

    /** {@code args} without {@code ctl} and {@code top}: ctl's options before top are top's too. */
    public static String[] ownArgs(String[] args) {
        int at = commandAt(args);
        String[] own = new String[args.length - 2];
        System.arraycopy(args, 1, own, 0, at - 1);
        System.arraycopy(args, at + 1, own, at - 1, args.length - at - 1);
        return own;
    }

    /** Where {@code top} is in {@code ctl [--state-dir DIR] [--timeout T] top …}, or -1. */
    private static int commandAt(String[] args) {
        if (args.length < 2 || !args[0].equals("ctl")) {
            return -1;
        }
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--state-dir") || a.equals("--timeout")) {
                i++;
            } else if (!a.startsWith("--state-dir=") && !a.startsWith("--timeout=")) {
                return a.equals("top") ? i : -1;
            }
        }
        return -1;
    }

    /** One fetch: a snapshot and where it came from, or why there is none (with ctl's exit code). */
    record Fetched(TopSnapshot snapshot, String source, int exitCode, String problem) {
    }

    @Override
    public Integer call() throws InterruptedException {
        Duration t;
        try {
            t = Units.duration(timeout);
        } catch (IllegalArgumentException e) {
            err.println("botvisor ctl top: --timeout " + e.getMessage());
            return 2;
        }
        Path state = stateDir.toAbsolutePath().normalize();
        if (once) {
            Fetched f = fetch(state, t);
            if (f.snapshot() == null) {
                err.println("botvisor ctl top: " + f.problem());
                return f.exitCode();
            }
            int width = TopTerminal.stdoutIsTerminal() ? TopTerminal.size(env)[1] : 0;
            TopRenderer.render(new TopRenderer.Frame(f.snapshot(), Map.of(), Instant.now(), f.source()), sort, width,
                    0, false, ZoneId.systemDefault()).forEach(out::println);
            out.flush();
            return 0;
        }
        if (!TopTerminal.stdoutIsTerminal()) {
            err.println("botvisor ctl top: the output is not a terminal; for one frame in a script use "
                    + "'botvisor ctl top --once'");
            return 2;
        }
        TopTerminal tty;
        try {
            tty = TopTerminal.open();
        } catch (IOException e) {
            err.println("botvisor ctl top: cannot take over the terminal (" + e.getMessage() + "); for one frame use "
                    + "'botvisor ctl top --once'");
            return 2;
        }
        try (tty) {
            return live(tty, state, t);
        } catch (IOException e) {
            return 0; // the terminal went away (ssh dropped): nobody is watching any more
        }
    }

    /** Fetch every second, draw after each fetch and each key, until q (or the terminal closes). */
    private int live(TopTerminal tty, Path state, Duration t) throws IOException, InterruptedException {
        CpuMeter cpu = CpuMeter.fromProc();
        Map<String, Double> percent = Map.of();
        Fetched shown = null;
        String problem = null;
        long next = System.nanoTime();
        while (true) {
            if (System.nanoTime() - next >= 0) {
                Fetched f = fetch(state, t);
                if (f.snapshot() != null) {
                    shown = f;
                    problem = null;
                    percent = cpu.update(f.snapshot(), System.currentTimeMillis());
                } else {
                    problem = f.problem();
                }
                next = Math.max(next + REFRESH.toNanos(), System.nanoTime());
            }
            int[] size = TopTerminal.size(env);
            tty.draw(frame(shown, problem, percent, size));
            Integer key = tty.key((next - System.nanoTime()) / 1_000_000);
            if (key == null) {
                continue;
            }
            if (key == TopTerminal.CLOSED || key == 'q' || key == 'Q') {
                return 0;
            }
            TopRenderer.Sort s = TopRenderer.Sort.ofKey(Character.toLowerCase(key));
            if (s != null) {
                sort = s;
            }
        }
    }

    private List<String> frame(Fetched shown, String problem, Map<String, Double> percent, int[] size) {
        if (shown == null) {
            List<String> lines = List.of("botvisor ctl top: " + (problem == null ? "reading the status" : problem),
                    "trying again every second; q quits");
            return lines.stream().map(l -> l.length() > size[1] ? l.substring(0, size[1]) : l).toList();
        }
        String from = problem == null ? shown.source() : "NOT CURRENT (" + problem + "), last from " + shown.source();
        return TopRenderer.render(new TopRenderer.Frame(shown.snapshot(), percent, Instant.now(), from), sort,
                size[1], size[0], true, ZoneId.systemDefault());
    }

    /**
     * The metric file while it is fresh (it is there anyway, and readable by the group the operator chose, not only
     * by whoever may send commands), else one status call.
     */
    Fetched fetch(Path state, Duration t) {
        if (source != Source.CTL) {
            Path file = state.resolve("metrics").resolve("status.json");
            try {
                long ageMillis = System.currentTimeMillis() - Files.getLastModifiedTime(file).toMillis();
                if (ageMillis <= FRESH.toMillis() || source == Source.FILE) {
                    String age = Math.max(0, ageMillis) / 1000 + "s old" + (ageMillis > FRESH.toMillis()
                            ? " (STALE: is the supervisor running?)" : "");
                    return new Fetched(TopSnapshot.parse(json.readTree(file.toFile())),
                            "from STATE/metrics/status.json, " + age, 0, null);
                }
            } catch (NoSuchFileException e) {
                if (source == Source.FILE) {
                    return new Fetched(null, null, ControlClient.NO_SUPERVISOR, "no " + file + " (metric files are "
                            + "off, or no supervisor has written them yet); try --source ctl");
                }
            } catch (IOException e) {
                // Unreadable (permissions) or caught mid-replace on a filesystem without atomic rename: ask instead.
                if (source == Source.FILE) {
                    return new Fetched(null, null, 1, "cannot read " + file + ": " + e.getMessage());
                }
            }
        }
        ControlClient.Result r = StatusSocket.ask(state, List.of("--json"));
        if (r == null) {
            r = ControlClient.send(state, "status", List.of("--json"), t);
        }
        if (r.exitCode() != 0) {
            return new Fetched(null, null, r.exitCode(), r.output().strip());
        }
        try {
            return new Fetched(TopSnapshot.parse(json.readTree(r.output())), "from a status call each refresh", 0, null);
        } catch (IOException e) {
            return new Fetched(null, null, 1, "the supervisor's status is not JSON (" + e.getMessage() + ")");
        }
    }
}

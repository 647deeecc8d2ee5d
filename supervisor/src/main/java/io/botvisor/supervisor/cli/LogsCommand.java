package io.botvisor.supervisor.cli;

import io.botvisor.ipc.Units;
import io.botvisor.supervisor.logs.Interleave;
import io.botvisor.supervisor.logs.LogStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code botvisor ctl logs BOT}: a bot's log files, read straight from {@code STATE/logs/BOT/} — no supervisor needs
 * to run, and none is asked. Lines, not bytes: the last {@code N} are found by reading backwards from the end, across
 * the rotated files. {@code -f} follows the files across rotations ({@link LogStream}), woken by the directory's
 * change events. One per command run.
 */
@Command(name = "logs", sortOptions = false,
        description = {"Prints a bot's log lines: the last ones of its stdout (or of its stderr, its lifecycle events, "
                + "or all three interleaved by time), then, with -f, each new one as it is written. Reads the files in "
                + "STATE/logs/BOT/, so it works whether or not a supervisor runs.", "",
                "Examples:",
                "  botvisor ctl logs shop-1                 the last 10 lines of its stdout",
                "  botvisor ctl logs shop-1 -n 200 --stderr",
                "  botvisor ctl logs shop-1 --all --since 10m",
                "  botvisor ctl logs shop-1 --events -f     its starts, exits and restarts, live", ""},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:done", "1:a file could not be read",
            "2:bad option or unknown bot (the known ones are named)"})
final class LogsCommand implements Callable<Integer> {
    static final int DEFAULT_LINES = 10;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BOT", description = "The bot's id.")
    String bot;

    @Option(names = {"-n", "--lines"}, paramLabel = "N",
            description = "How many of the last lines (default: " + DEFAULT_LINES + "; with --since: all since then).")
    Integer lines;

    @Option(names = {"-f", "--follow"}, description = "Then print new lines as they are written (across rotations).")
    boolean follow;

    @ArgGroup(exclusive = true)
    Which which = new Which();

    static final class Which {
        @Option(names = "--stderr", description = "Its stderr instead of its stdout.")
        boolean stderr;

        @Option(names = "--events", description = "Its events.log: launches, READY, exits, restarts, health, stops.")
        boolean events;

        @Option(names = "--all", description = "Events, stdout and stderr interleaved by time; each line tagged evt|, "
                + "out| or err|.")
        boolean all;
    }

    @Option(names = "--since", paramLabel = "WHEN",
            description = "Only lines written since then: a duration back from now (10m, 2h, 1d) or a time "
                    + "(2026-11-30T20:00, 2026-11-30T20:00:00Z).")
    String since;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "State dir of the supervisor (default: ctl's --state-dir, ./state).")
    Path stateDir;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private final Clock clock = Clock.systemDefaultZone();
    private final PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out),
            1 << 16), false, StandardCharsets.UTF_8);

    @Override
    public Integer call() throws InterruptedException {
        if (lines != null && lines < 0) {
            return usage("-n " + lines + " is negative (expected a number of lines, e.g. -n 50)");
        }
        Instant from = null;
        if (since != null) {
            from = since(since);
            if (from == null) {
                return usage("--since \"" + since + "\" is not a duration or a time (expected e.g. 10m, 2h, "
                        + "2026-11-30T20:00 or 2026-11-30T20:00:00Z)");
            }
        }
        int n = lines != null ? lines : since != null ? Integer.MAX_VALUE : DEFAULT_LINES;
        Path state = state();
        Path logs = state.resolve("logs");
        try {
            String problem = unknownBot(logs);
            if (problem != null) {
                return usage(problem);
            }
            return show(logs.resolve(bot), n, from);
        } catch (AccessDeniedException e) {
            System.err.println("botvisor ctl logs: cannot read " + e.getFile() + ": permission denied (the logs are "
                    + "the supervisor's user's alone: run ctl as that user, e.g. with sudo)");
            return 1;
        } catch (IOException e) {
            System.err.println("botvisor ctl logs: cannot read the logs of bot '" + bot + "' in " + logs + ": " + e);
            return 1;
        } finally {
            out.flush();
        }
    }

    private int show(Path botLogs, int n, Instant from) throws IOException, InterruptedException {
        List<LogStream.Kind> kinds = which.all ? List.of(LogStream.Kind.values())
                : List.of(which.stderr ? LogStream.Kind.STDERR : which.events ? LogStream.Kind.EVENTS
                        : LogStream.Kind.STDOUT);
        List<LogStream> streams = new ArrayList<>();
        try {
            List<List<LogStream.Line>> last = new ArrayList<>();
            for (LogStream.Kind k : kinds) {
                LogStream s = LogStream.open(botLogs, k, follow);
                streams.add(s);
                last.add(s.last(n, from));
                if (s.unstamped()) {
                    System.err.println("botvisor ctl logs: bot '" + bot + "': its " + k.name().toLowerCase()
                            + " lines carry no timestamps (logs: { timestamps: false }): --since cannot place them");
                }
            }
            List<LogStream.Line> shown = last.size() == 1 ? last.get(0) : Interleave.byTime(last);
            for (LogStream.Line l : shown.subList(Math.max(0, shown.size() - n), shown.size())) {
                print(l.kind(), l.text());
            }
            out.flush();
            if (follow) {
                follow(botLogs, streams);
            }
            return 0;
        } finally {
            for (LogStream s : streams) {
                s.close();
            }
        }
    }

    /** Until interrupted or stdout is closed (e.g. {@code | head}). */
    private void follow(Path botLogs, List<LogStream> streams) throws IOException, InterruptedException {
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            botLogs.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (!out.checkError()) {
                for (LogStream s : streams) {
                    for (String line : s.poll()) {
                        print(s.kind(), line);
                    }
                }
                out.flush();
                // Woken by a write or a rotation in the directory; the timeout covers what inotify cannot see (the
                // directory itself replaced).
                WatchKey key = watch.poll(1, TimeUnit.SECONDS);
                while (key != null) {
                    key.pollEvents();
                    key.reset();
                    key = watch.poll();
                }
            }
        }
    }

    private void print(LogStream.Kind kind, String line) {
        if (which.all) {
            out.print(kind.tag());
            out.print("| ");
        }
        out.println(line);
    }

    /** Null when the bot has logs here; else what to tell the operator. */
    private String unknownBot(Path logs) throws IOException {
        if (!Files.isDirectory(logs)) {
            return logs + " does not exist: is " + logs.getParent() + " the supervisor's state dir? (give it with "
                    + "--state-dir DIR)";
        }
        List<String> known;
        try (Stream<Path> dirs = Files.list(logs)) {
            known = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        if (known.contains(bot)) {
            return null;
        }
        return "no logs of bot '" + bot + "' in " + logs + " (known: "
                + (known.isEmpty() ? "none yet" : String.join(", ", known)) + ")";
    }

    private int usage(String problem) {
        System.err.println("botvisor ctl logs: " + problem);
        return 2;
    }

    /** --state-dir given here, else ctl's own (before the subcommand), else its default. */
    private Path state() {
        Path dir = stateDir;
        if (dir == null && spec.parent() != null) {
            OptionSpec parents = spec.parent().findOption("--state-dir");
            if (parents != null && parents.getValue() != null) {
                dir = Path.of(parents.getValue().toString());
            }
        }
        return (dir == null ? Path.of("state") : dir).toAbsolutePath().normalize();
    }

    private Instant since(String text) {
        if (Units.durationProblem(text) == null) {
            Duration d = Units.duration(text);
            return d.isNegative() ? null : clock.instant().minus(d);
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            // not with an offset: a time on the host's clock
        }
        try {
            return LocalDateTime.parse(text).atZone(clock.getZone()).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}

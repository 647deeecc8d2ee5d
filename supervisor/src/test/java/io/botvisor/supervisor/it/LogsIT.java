package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log files a real supervisor writes for real children, and {@code ctl logs} reading them while it runs. */
class LogsIT {
    private static final String FAST = "database: { enabled: false }\n" + SupervisorProcess.FAST_DEFAULTS;
    private static final String STAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(?:Z|[+-]\\d\\d:\\d\\d)";
    private static final Pattern STAMPED = Pattern.compile("(" + STAMP + ") (.*)");
    /** Prints a line in two pieces, another, and a last one without a newline; then exits 0. */
    private static final String PIECES = "printf 'part'; sleep 0.3; printf 'ial\\\\nnext\\\\n'; printf 'unterminated'";

    @TempDir
    Path dir;

    private static String file(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path logs(SupervisorProcess s, String bot) {
        return s.stateDir.resolve("logs").resolve(bot);
    }

    /** The text of each line, which must each start with a stamp. */
    private static List<String> unstamped(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.lines().toList()) {
            Matcher m = STAMPED.matcher(line);
            assertThat(m.matches()).as("stamped: " + line).isTrue();
            out.add(m.group(2));
        }
        return out;
    }

    private static String piecesBot(String id, String extra) {
        return "  - { id: " + id + ", command: [\"/bin/sh\", \"-c\", \"" + PIECES + "\"], "
                + "restart: { policy: on-failure }" + extra + " }\n";
    }

    @Test
    void childLinesAreStampedAsTheyArriveKeepingAPieceAndALastLineWithoutNewline() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + "bots:\n" + piecesBot("stamped", ""))) {
            s.awaitBot("stamped", "to have run once", b -> !b.get("lastExit").isNull()
                    && b.get("state").asText().equals("STOPPED"));
            assertThat(s.ctl("start", "stamped").exitCode()).isZero();
            Path out = logs(s, "stamped").resolve("stdout.log");
            // Its last line is ended by the supervisor when the output ends: a newline it would otherwise lack.
            s.await("the second run's last line to be ended", () -> file(out).lines().count() == 6
                    && file(out).endsWith("\n"));
            assertThat(unstamped(file(out))).containsExactly("partial", "next", "unterminated",
                    "partial", "next", "unterminated");
        }
    }

    @Test
    void whatAChildWritesJustBeforeItExitsIsKeptWhole() throws Exception {
        // ~200 KB: more than a pipe holds, so that the child exits while the supervisor is still reading.
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - { id: burst, command: ["/bin/sh", "-c", "seq 1 30000; exit 3"], restart: { policy: never } }
                """)) {
            s.awaitState("burst", "FAILED");
            Path out = logs(s, "burst").resolve("stdout.log");
            s.await("the last line", () -> file(out).endsWith(" 30000\n"), () -> "");
            assertThat(unstamped(file(out))).containsExactlyElementsOf(IntStream.rangeClosed(1, 30000)
                    .mapToObj(Integer::toString).toList());
            assertThat(s.log()).doesNotContain("copying stdout stopped");
        }
    }

    @Test
    void timestampsFalseLeavesTheLinesAsTheBotWroteThem() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + "bots:\n"
                + piecesBot("raw", ", logs: { timestamps: false }"))) {
            s.awaitBot("raw", "to have run once", b -> !b.get("lastExit").isNull()
                    && b.get("state").asText().equals("STOPPED"));
            assertThat(s.ctl("start", "raw").exitCode()).isZero();
            Path out = logs(s, "raw").resolve("stdout.log");
            s.await("the second run's last line to be ended", () -> file(out).lines().count() == 6
                    && file(out).endsWith("\n"));
            assertThat(file(out)).isEqualTo("partial\nnext\nunterminated\npartial\nnext\nunterminated\n");
        }
    }

    @Test
    void eventsLogHoldsTheLaunchReadyExitAndRestartOfAKilledBotAndNoOtherBotsLines() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - { id: victim, type: chaos }
                  - { id: bystander, command: ["/bin/sh", "-c", "exec sleep 3600"] }
                """)) {
            long first = s.awaitState("victim", "RUNNING").get("pid").asLong();
            s.awaitState("bystander", "RUNNING");
            SupervisorProcess.signal(first, "KILL");
            long second = s.awaitBot("victim", "to run again",
                    b -> b.get("state").asText().equals("RUNNING") && b.get("pid").asLong() != first)
                    .get("pid").asLong();
            Path events = logs(s, "victim").resolve("events.log");
            s.await("the second READY in events.log", () -> file(events).contains("is RUNNING [pid " + second));

            List<String> lines = unstamped(file(events));
            assertThat(lines).allMatch(l -> l.matches("(INFO|WARN|ERROR) +bot 'victim'.*"), "about victim only");
            assertThat(String.join("\n", lines)).containsPattern("(?s)"
                    + "INFO  bot 'victim' launched \\(gen \\d+, pid " + first + "\\): .*"
                    + "INFO  bot 'victim' is RUNNING \\[pid " + first + ", ready \\d+ ms after JVM start\\].*"
                    + "WARN  bot 'victim' exited with 137 \\(SIGKILL\\) \\[pid " + first + "\\]; restarting in "
                    + "\\d\\.\\d s \\(restart 1 of 10 in 60 s\\).*"
                    + "INFO  bot 'victim' launched \\(gen \\d+, pid " + second + "\\): .*"
                    + "INFO  bot 'victim' is RUNNING \\[pid " + second + ", ready");
            assertThat(file(logs(s, "bystander").resolve("events.log"))).contains("bot 'bystander' launched")
                    .doesNotContain("victim");
        }
    }

    @Test
    void supervisorLogIsWrittenToTheStateDirToAndFlushedBeforeItExits() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - { id: calm, command: ["/bin/sh", "-c", "exec sleep 3600"] }
                """)) {
            s.awaitState("calm", "RUNNING");
            assertThat(s.ctl("shutdown").exitCode()).isZero();
            assertThat(s.process.waitFor(60, TimeUnit.SECONDS)).as("the supervisor exited").isTrue();
            List<String> lines = unstamped(file(s.stateDir.resolve("logs").resolve("supervisor.log")));
            assertThat(lines).anyMatch(l -> l.startsWith("INFO  supervising 1 bots"));
            assertThat(lines).last().isEqualTo("INFO  all bots stopped");
            assertThat(unstamped(file(logs(s, "calm").resolve("events.log")))).last().asString()
                    .startsWith("INFO  bot 'calm' stopped [pid ").endsWith("]: ctl shutdown");
        }
    }

    @Test
    void ctlLogsFollowsAcrossRotationsWithNoLineLostOrDoubled() throws Exception {
        Path go = dir.resolve("go");
        // 1500 stamped lines (~55 KB) into files of 8 KB: several rotations, some of them while ctl waits.
        String script = "echo ready; while [ ! -e " + go + " ]; do sleep 0.05; done; i=0; "
                + "while [ $i -lt 1500 ]; do i=$((i+1)); echo \\\"line $i\\\"; "
                + "if [ $((i % 100)) -eq 0 ]; then sleep 0.1; fi; done; exec sleep 3600";
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + "bots:\n  - { id: chatty, command: "
                + "[\"/bin/sh\", \"-c\", \"" + script + "\"], logs: { maxFileSize: 8k, maxFiles: 20 } }\n")) {
            Path out = logs(s, "chatty").resolve("stdout.log");
            s.await("the bot to be ready", () -> file(out).contains("ready"));
            Path followed = dir.resolve("followed.txt");
            Process ctl = new ProcessBuilder(SupervisorProcess.botvisor("ctl", "--state-dir", s.stateDir.toString(),
                    "logs", "chatty", "-f", "-n", "1")).redirectOutput(followed.toFile())
                    .redirectError(dir.resolve("followed.err").toFile()).start();
            try {
                s.await("ctl logs -f to show the last line", () -> file(followed).contains("ready"));
                Files.createFile(go);
                s.await("ctl logs -f to show line 1500", () -> file(followed).contains("line 1500\n"),
                        () -> file(followed));
            } finally {
                ctl.destroy();
                ctl.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(logs(s, "chatty").resolve("stdout.log.4")).as("rotated several times").exists();
            assertThat(unstamped(file(followed))).containsExactlyElementsOf(IntStream.rangeClosed(0, 1500)
                    .mapToObj(i -> i == 0 ? "ready" : "line " + i).toList());
        }
    }

    @Test
    void ctlLogsAllInterleavesStdoutStderrAndEventsByTime() throws Exception {
        // Each line is printed only once the one before it is in its file and the clock has moved past its stamp.
        String script = "echo a; while [ ! -e " + dir.resolve("1") + " ]; do sleep 0.02; done; echo b >&2; "
                + "while [ ! -e " + dir.resolve("2") + " ]; do sleep 0.02; done; echo c; "
                + "while [ ! -e " + dir.resolve("3") + " ]; do sleep 0.02; done; echo d >&2; exec sleep 3600";
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + "bots:\n  - { id: two, command: "
                + "[\"/bin/sh\", \"-c\", \"" + script + "\"] }\n")) {
            Path out = logs(s, "two").resolve("stdout.log");
            Path err = logs(s, "two").resolve("stderr.log");
            step(s, out, "a", "1");
            step(s, err, "b", "2");
            step(s, out, "c", "3");
            s.await("d", () -> file(err).contains(" d\n"));

            LogsCommandIT.Run r = LogsCommandIT.ctl(dir, "logs", "two", "--all", "-n", "100", "--state-dir",
                    s.stateDir.toString());

            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.lines()).anyMatch(l -> l.startsWith("evt| ") && l.contains("bot 'two' launched"));
            assertThat(r.lines().stream().filter(l -> !l.startsWith("evt| ")).map(l -> l.replaceAll(STAMP + " ", "")))
                    .containsExactly("out| a", "err| b", "out| c", "err| d");
        }
    }

    /** Waits for {@code line} in {@code file} and for the clock to pass its stamp, then creates the step file. */
    private void step(SupervisorProcess s, Path file, String line, String next) throws IOException {
        s.await(line, () -> file(file).contains(" " + line + "\n"));
        Matcher m = STAMPED.matcher(file(file).lines().filter(l -> l.endsWith(" " + line)).findFirst().orElseThrow());
        assertThat(m.matches()).isTrue();
        Instant stamped = OffsetDateTime.parse(m.group(1)).toInstant();
        s.await("the clock to pass " + stamped, () -> Instant.now().toEpochMilli() > stamped.toEpochMilli());
        Files.createFile(dir.resolve(next));
    }

    @Test
    void aBotWithItsOwnUserCannotWriteItsEventsLog() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to give bots users of their own (CI runs as root); skipped as "
                        + System.getProperty("user.name"));
        SupervisorProcess.openToBots(dir);
        String events = dir.resolve("state/logs/forger/events.log").toString();
        String script = "if echo forged 2>/dev/null >> " + events + "; then echo WROTE; else echo REFUSED; fi; "
                + "exec sleep 3600";
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + "bots:\n  - { id: forger, command: "
                + "[\"/bin/sh\", \"-c\", \"" + script + "\"] }\n")) {
            s.requireWalls();
            Path out = logs(s, "forger").resolve("stdout.log");
            s.await("the bot's attempt", () -> file(out).contains("WROTE") || file(out).contains("REFUSED"));
            assertThat(unstamped(file(out))).containsExactly("REFUSED");
            assertThat(file(Path.of(events))).contains("bot 'forger' launched");
            assertThat(file(Path.of(events)).lines()).noneMatch(l -> l.startsWith("forged"));
        }
    }
}

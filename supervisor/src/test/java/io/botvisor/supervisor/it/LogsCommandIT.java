package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code botvisor ctl logs} in a JVM of its own on log files written here, with no supervisor running: it reads
 * files, and needs nothing else.
 */
class LogsCommandIT {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneId.systemDefault());

    @TempDir
    Path dir;

    /** What a {@code botvisor ctl …} run printed and returned. */
    record Run(int exitCode, String stdout, String stderr) {
        List<String> lines() {
            return stdout.lines().toList();
        }
    }

    static Run ctl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ctl"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(SupervisorProcess.botvisor(cmd.toArray(String[]::new)))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ctl " + String.join(" ", args) + " finished").isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Path state() {
        return dir.resolve("state");
    }

    private Path botLogs(String bot) throws IOException {
        return Files.createDirectories(state().resolve("logs").resolve(bot));
    }

    private static String stamped(Instant t, String text) {
        return STAMP.format(t) + " " + text;
    }

    @Test
    void lastLinesAreLinesNotBytesEvenWhenTheyAreLongerThanAnyBlock() throws Exception {
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            file.append("short ").append(i).append('\n');
        }
        String big1 = "A".repeat(150_000);
        String big2 = "B".repeat(100_000);
        file.append(big1).append('\n').append(big2).append('\n');
        Files.writeString(botLogs("shop-1").resolve("stdout.log"), file);

        Run r = ctl(dir, "logs", "shop-1", "-n", "3", "--state-dir", state().toString());

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.lines()).containsExactly("short 19999", big1, big2);
    }

    @Test
    void lastLinesReachIntoTheRotatedFilesWhenTheLiveOneHasTooFew() throws Exception {
        Path logs = botLogs("shop-1");
        StringBuilder older = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            older.append("old ").append(i).append('\n');
        }
        Files.writeString(logs.resolve("stdout.log.2"), older);
        Files.writeString(logs.resolve("stdout.log.1"), "middle\n");
        Files.writeString(logs.resolve("stdout.log"), "new\n");

        Run r = ctl(dir, "--state-dir", state().toString(), "logs", "shop-1", "-n", "4");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.lines()).containsExactly("old 4998", "old 4999", "middle", "new");
    }

    @Test
    void withoutNTheLastTenLinesAreShown() throws Exception {
        StringBuilder file = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            file.append("line ").append(i).append('\n');
        }
        Files.writeString(botLogs("shop-1").resolve("stderr.log"), file);

        Run r = ctl(dir, "logs", "shop-1", "--stderr", "--state-dir", state().toString());

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.lines()).hasSize(10).first().isEqualTo("line 21");
        assertThat(r.lines()).last().isEqualTo("line 30");
    }

    @Test
    void sinceShowsOnlyTheLinesWrittenSinceThenWithTheirUnstampedContinuations() throws Exception {
        Instant now = Instant.now();
        Path logs = botLogs("shop-1");
        Files.writeString(logs.resolve("stdout.log.1"), stamped(now.minusSeconds(7200), "two hours ago") + "\n");
        Files.writeString(logs.resolve("stdout.log"), String.join("\n",
                stamped(now.minusSeconds(1200), "twenty minutes ago"),
                "  its continuation",
                stamped(now.minusSeconds(300), "five minutes ago"),
                "  its continuation",
                stamped(now.minusSeconds(60), "a minute ago")) + "\n");

        Run all = ctl(dir, "logs", "shop-1", "-n", "100", "--state-dir", state().toString());
        Run since = ctl(dir, "logs", "shop-1", "--since", "10m", "--state-dir", state().toString());

        assertThat(all.lines()).as("it would show the older lines").hasSize(6);
        assertThat(since.exitCode()).as(since.stderr()).isZero();
        assertThat(since.lines()).containsExactly(stamped(now.minusSeconds(300), "five minutes ago"),
                "  its continuation", stamped(now.minusSeconds(60), "a minute ago"));
    }

    @Test
    void allInterleavesTheThreeFilesByTimeAndTagsEachLine() throws Exception {
        Instant t = Instant.now().minusSeconds(60);
        Path logs = botLogs("shop-1");
        Files.writeString(logs.resolve("events.log"), stamped(t, "INFO  bot 'shop-1' launched") + "\n"
                + stamped(t.plusSeconds(3), "WARN  bot 'shop-1' exited with code 1") + "\n");
        Files.writeString(logs.resolve("stdout.log"), stamped(t.plusSeconds(1), "hello") + "\n"
                + stamped(t.plusSeconds(4), "hello again") + "\n");
        Files.writeString(logs.resolve("stderr.log"), stamped(t.plusSeconds(2), "oops") + "\n");

        Run r = ctl(dir, "logs", "shop-1", "--all", "--state-dir", state().toString());

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.lines()).containsExactly(
                "evt| " + stamped(t, "INFO  bot 'shop-1' launched"),
                "out| " + stamped(t.plusSeconds(1), "hello"),
                "err| " + stamped(t.plusSeconds(2), "oops"),
                "evt| " + stamped(t.plusSeconds(3), "WARN  bot 'shop-1' exited with code 1"),
                "out| " + stamped(t.plusSeconds(4), "hello again"));
    }

    @Test
    void anUnknownBotExits2NamingItAndTheKnownOnes() throws Exception {
        botLogs("shop-1");
        botLogs("shop-2");

        Run r = ctl(dir, "logs", "shop-3", "--state-dir", state().toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr().strip()).isEqualTo("botvisor ctl logs: no logs of bot 'shop-3' in "
                + state().resolve("logs") + " (known: shop-1, shop-2)");
    }

    @Test
    void aStateDirWithoutLogsExits2PointingAtStateDir() throws Exception {
        Files.createDirectories(state());

        Run r = ctl(dir, "logs", "shop-1", "--state-dir", state().toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr().strip()).isEqualTo("botvisor ctl logs: " + state().resolve("logs") + " does not exist: is "
                + state() + " the supervisor's state dir? (give it with --state-dir DIR)");
    }

    @Test
    void aBadSinceOrNegativeNExits2SayingWhatIsExpected() throws Exception {
        botLogs("shop-1");

        Run since = ctl(dir, "logs", "shop-1", "--since", "yesterday", "--state-dir", state().toString());
        Run n = ctl(dir, "logs", "shop-1", "-n", "-1", "--state-dir", state().toString());

        assertThat(since.exitCode()).isEqualTo(2);
        assertThat(since.stderr().strip()).isEqualTo("botvisor ctl logs: --since \"yesterday\" is not a duration or a "
                + "time (expected e.g. 10m, 2h, 2026-11-30T20:00 or 2026-11-30T20:00:00Z)");
        assertThat(n.exitCode()).isEqualTo(2);
        assertThat(n.stderr().strip()).isEqualTo("botvisor ctl logs: -n -1 is negative (expected a number of lines, "
                + "e.g. -n 50)");
    }
}

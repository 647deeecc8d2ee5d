package io.botvisor.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.supervisor.control.ControlClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which figures top reads, and how it is found on the command line; no supervisor here (see TopCommandIT). */
class TopCommandTest {
    private static final String STATUS = """
            {"schemaVersion": 1, "time": "2026-11-30T21:00:09Z", "supervisorPid": 4242, "database": null,
             "bots": [{"id": "one", "state": "RUNNING", "pid": 11, "health": 100, "restarts": 0}]}
            """;

    @TempDir
    Path state;

    private record Run(int exitCode, String out, String err) {
    }

    private Run top(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = TopCommand.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of()).execute(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path metricFile(Instant modified) throws Exception {
        Path f = Files.createDirectories(state.resolve("metrics")).resolve("status.json");
        Files.writeString(f, STATUS);
        Files.setLastModifiedTime(f, FileTime.from(modified));
        return f;
    }

    @Test
    void freshMetricFileIsReadWithoutAskingTheSupervisor() throws Exception {
        metricFile(Instant.now());
        Run r = top("--state-dir", state.toString(), "--once");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("botvisor pid 4242 | 1 running, 0 backoff, 0 failed | no database | ")
                .contains("sorted by cpu | from STATE/metrics/status.json, 0s old\n")
                .containsPattern("\none +RUNNING +100 ")
                .doesNotContain("\u001b");
    }

    @Test
    void staleMetricFileIsNotShownAsCurrent() throws Exception {
        metricFile(Instant.now().minus(TopCommand.FRESH).minusSeconds(50));
        Run r = top("--state-dir", state.toString(), "--once");
        assertThat(r.exitCode()).as("asked the supervisor instead, and there is none").isEqualTo(
                ControlClient.NO_SUPERVISOR);
        assertThat(r.err()).startsWith("botvisor ctl top: no supervisor is running with state dir " + state);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void staleMetricFileAskedForBySourceFileSaysItIsStale() throws Exception {
        metricFile(Instant.now().minusSeconds(60));
        Run r = top("--state-dir", state.toString(), "--once", "--source", "file");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("from STATE/metrics/status.json, 6\\ds old \\(STALE: is the supervisor "
                + "running\\?\\)");
    }

    @Test
    void noMetricFileWithSourceFileIsExitThreeNamingTheFile() {
        Run r = top("--state-dir", state.toString(), "--once", "--source", "file");
        assertThat(r.exitCode()).isEqualTo(ControlClient.NO_SUPERVISOR);
        assertThat(r.err()).isEqualTo("botvisor ctl top: no " + state.resolve("metrics").resolve("status.json")
                + " (metric files are off, or no supervisor has written them yet); try --source ctl\n");
    }

    @Test
    void unknownSortColumnIsAUsageError() {
        Run r = top("--state-dir", state.toString(), "--once", "--sort", "colour");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--sort", "colour", "CPU, MEMORY, RESTARTS, HEALTH, HEARTBEAT, STATE, NAME");
    }

    @Test
    void liveViewWithoutATerminalPointsAtOnce() {
        // The test JVM's standard output is a pipe to the build, never a terminal.
        Run r = top("--state-dir", state.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("botvisor ctl top: the output is not a terminal; for one frame in a script use "
                + "'botvisor ctl top --once'\n");
    }

    @Test
    void topIsFoundAfterCtlsOwnOptionsAndTakesThem() {
        String[] args = {"ctl", "--state-dir", "top", "--timeout=2s", "top", "--once"};
        assertThat(TopCommand.handles(args)).isTrue();
        assertThat(TopCommand.ownArgs(args)).containsExactly("--state-dir", "top", "--timeout=2s", "--once");
        assertThat(TopCommand.handles(new String[] {"ctl", "--state-dir", "top", "status"})).isFalse();
        assertThat(TopCommand.handles(new String[] {"ctl", "status", "top"})).isFalse();
        assertThat(TopCommand.handles(new String[] {"db", "top"})).isFalse();
    }
}

package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.supervisor.process.LaunchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code botvisor ctl top --once} as a script runs it (output to a file), against a real supervisor. */
class TopCommandIT {
    /**
     * No walls: on a host where other supervisors run (builds in parallel), bots of another state dir get the same
     * uids, and a sweep of a uid at a bot's first launch would kill this test's bots.
     */
    private static final String FLEET = "supervisor: { isolation: none }\ndatabase: { hashPartitions: 4 }\n"
            + SupervisorProcess.FAST_DEFAULTS + """
            bots:
              - { id: bot-1, type: chaos }
              - { id: bot-2, type: chaos }
            """;

    @TempDir
    Path dir;

    private record Run(int exitCode, List<String> out, String err) {
    }

    /** {@code botvisor ctl --state-dir STATE top ARGS} in a JVM of its own, its output to files. */
    private Run top(Path stateDir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(LaunchSettings.chronicleFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.botvisor.supervisor.cli.Main",
                "ctl", "--state-dir", stateDir.toString(), "top"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "top", ".out");
        Path err = Files.createTempFile(dir, "top", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("top --once finished").isTrue();
        return new Run(p.exitValue(), Files.readAllLines(out), Files.readString(err));
    }

    @Test
    void onceShowsTheFleetLineAndOneRowPerBotInItsState() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            s.awaitState("bot-1", "RUNNING");
            s.awaitState("bot-2", "RUNNING");
            assertThat(s.ctl("stop", "bot-2").exitCode()).isZero();

            Run r = top(s.stateDir, "--once", "--sort", "name");

            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).as(String.join("\n", r.out())).hasSize(5);
            assertThat(r.out().get(0)).matches("botvisor pid \\d+ \\| 1 running, 0 backoff, 0 failed, 1 stopped \\| "
                    + "db embedded UP, connections \\d+ of \\d+ reserved \\| \\d\\d:\\d\\d:\\d\\d");
            assertThat(r.out().get(1)).startsWith("sorted by name | from ");
            assertThat(r.out().get(2)).startsWith("BOT").contains("STATE", "HEALTH", "CPU%", "RSS", "HEAP",
                    "RESTARTS", "POOL", "HB AGE");
            assertThat(r.out().get(3).split("\\s+")).as(r.out().get(3)).startsWith("bot-1", "RUNNING")
                    .satisfies(row -> assertThat(row[4]).as("RSS of a running bot").matches("\\d+M"));
            assertThat(r.out().get(4).split("\\s+")).as(r.out().get(4))
                    .startsWith("bot-2", "STOPPED", "-", "-", "-", "-");
            assertThat(String.join("\n", r.out())).as("no terminal control in a file").doesNotContain("\u001b");
        }
    }

    @Test
    void onceWithoutASupervisorSaysSoAndExitsThree() throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Run r = top(state, "--once");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("botvisor ctl top: no supervisor is running with state dir " + state);
    }
}

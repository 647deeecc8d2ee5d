package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.botvisor.supervisor.process.LaunchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code botvisor ctl status} as an operator runs it (a JVM of its own): answered on the status socket, without
 * Chronicle Queue in the CLI, and over the queue when the socket is not there.
 */
class CtlStatusIT {
    /** No walls: see TopCommandIT. No database: not what this is about. */
    private static final String FLEET = "supervisor: { isolation: none }\ndatabase: { enabled: false }\n"
            + SupervisorProcess.FAST_DEFAULTS + """
            bots:
              - { id: bot-1, type: chaos }
              - { id: bot-2, type: chaos }
            """;

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err, List<String> classesLoaded) {
    }

    /** {@code botvisor ctl --state-dir STATE ARGS} in a JVM of its own, with the classes it loaded. */
    private Run ctl(Path stateDir, String... args) throws Exception {
        Path classes = Files.createTempFile(dir, "classes", ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-Xlog:class+load=info:file=" + classes));
        cmd.addAll(LaunchSettings.chronicleFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.botvisor.supervisor.cli.Main",
                "ctl", "--state-dir", stateDir.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "ctl", ".out");
        Path err = Files.createTempFile(dir, "ctl", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ctl finished").isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err), Files.readAllLines(classes));
    }

    private static boolean loadedChronicle(Run r) {
        return r.classesLoaded().stream().anyMatch(l -> l.contains(" net.openhft.chronicle."));
    }

    @Test
    void statusIsAnsweredOnTheSocketWithoutChronicleQueueInTheCli() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            s.awaitState("bot-1", "RUNNING");
            Run r = ctl(s.stateDir, "status", "--json", "bot-1");
            assertThat(r.exitCode()).as(r.err()).isZero();
            JsonNode bots = new ObjectMapper().readTree(r.out()).get("bots");
            assertThat(bots).hasSize(1);
            assertThat(bots.get(0).get("id").asText()).isEqualTo("bot-1");
            assertThat(loadedChronicle(r)).as("Chronicle classes loaded by ctl status").isFalse();

            Run unknown = ctl(s.stateDir, "status", "nope");
            assertThat(unknown.exitCode()).isEqualTo(2);
            assertThat(unknown.err()).startsWith("unknown bot 'nope' (known: bot-1, bot-2)");
            assertThat(loadedChronicle(unknown)).isFalse();
        }
    }

    @Test
    void withoutTheSocketStatusIsAskedOverTheQueue() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            s.awaitState("bot-1", "RUNNING");
            Path socket = s.stateDir.resolve("ipc/control/status.sock");
            assertThat(socket).exists();
            Files.delete(socket); // as with a supervisor of an earlier version, or one whose socket could not be made
            Run r = ctl(s.stateDir, "status");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).containsPattern("\nbot-1 +RUNNING ").containsPattern("\nbot-2 +[A-Z]+ ");
            assertThat(loadedChronicle(r)).as("answered over the queue").isTrue();
        }
    }
}

package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chronicle Core's disk-space checker runs on a thread that needs net.openhft:affinity, which ipc leaves out: where
 * it is on, that thread dies with a NoClassDefFoundError in every JVM that opens a queue. It is off in the supervisor
 * and in its children.
 */
class ChronicleDiskCheckerIT {
    private static final String TRACE = "net/openhft/affinity/Affinity";
    private static final String CHECKER_ON = "-Dchronicle.disk.monitor.disable=false";

    @TempDir
    Path dir;

    /** The supervisor's and its bot's whole output, after a run to the end: a bot started, then a shutdown. */
    private String runToTheEnd(Path run, boolean checkerOn) throws Exception {
        String options = checkerOn ? "[\"" + CHECKER_ON + "\"]" : "[]";
        ProcessBuilder pb = SupervisorProcess.command(run, SupervisorProcess.writeFleet(run,
                SupervisorProcess.FAST_DEFAULTS + "database: { enabled: false }\n"
                        + "bots:\n  - { id: one, type: chaos, jvm: { options: " + options + " } }\n"));
        if (checkerOn) {
            // After the flags the supervisor gets: the later -D wins.
            pb.command().add(pb.command().indexOf("-cp"), CHECKER_ON);
        }
        try (SupervisorProcess s = SupervisorProcess.launch(run, pb)) {
            s.await("the supervisor to take its lock", () -> s.log().contains("supervising"));
            s.awaitState("one", "RUNNING");
            assertThat(s.ctl("shutdown").exitCode()).isZero();
            assertThat(s.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            Path logs = s.stateDir.resolve("logs/one");
            return s.log() + "\n--- bot stdout:\n" + Files.readString(logs.resolve("stdout.log"))
                    + "\n--- bot stderr:\n" + Files.readString(logs.resolve("stderr.log"));
        }
    }

    @Test
    void noJvmThatOpensAQueuePrintsTheCheckersNoClassDefFoundError() throws Exception {
        // First: with the checker on, the trace is there to see, in the supervisor's output and in the bot's.
        String on = runToTheEnd(Files.createDirectories(dir.resolve("on")), true);
        List<String> parts = List.of(on.split("--- bot stdout:"));
        assertThat(parts.get(0)).as("the supervisor's output, checker on").contains(TRACE);
        assertThat(parts.get(1)).as("the bot's output, checker on").contains(TRACE);

        String off = runToTheEnd(Files.createDirectories(dir.resolve("off")), false);
        assertThat(off).doesNotContain(TRACE).doesNotContain("NoClassDefFoundError");
    }
}

package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bot sees an allow-listed environment, never the supervisor's own (its secrets, systemd's sockets). */
class ChildEnvironmentIT {
    private static final String SECRET = "supervisor-only-3f9c1a";

    @TempDir
    Path dir;

    @Test
    void childrenSeeTheirOwnValuesAndNotTheSupervisorsEnvironment() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.launch(dir, SupervisorProcess.FAST_DEFAULTS + """
                database: { enabled: false }
                bots:
                  - { id: shell, command: ["/bin/sh", "-c", "env; exec sleep 3600"], env: { OWN_VALUE: mine } }
                  - { id: runner, type: chaos, env: { OWN_VALUE: mine } }
                """, SupervisorProcess.runnerClasspath(),
                Map.of("BOTVISOR_DB_PASSWORD", SECRET, "NOTIFY_SOCKET", "/run/" + SECRET))) {
            s.await("the supervisor to start", () -> s.log().contains("supervising"));
            s.await("the command bot to print its environment", () -> stdout(s, "shell").contains("OWN_VALUE=mine"));
            String shell = stdout(s, "shell");
            // It would have seen the secret: the supervisor has it (its own environment) and passes PATH through.
            assertThat(Files.readString(Path.of("/proc", Long.toString(s.process.pid()), "environ"))).contains(SECRET);
            assertThat(shell).contains("PATH=").contains("HOME=" + s.stateDir.resolve("bots").resolve("shell").resolve("home"))
                    .doesNotContain(SECRET).doesNotContain("BOTVISOR_RUNNER_CLASSPATH");

            long pid = s.awaitState("runner", "RUNNING").get("pid").asLong();
            String environ = Files.readString(Path.of("/proc", Long.toString(pid), "environ")).replace('\0', '\n');
            assertThat(environ).contains("OWN_VALUE=mine").contains("BOTVISOR_SPEC=")
                    .contains("HOME=" + s.stateDir.resolve("bots").resolve("runner").resolve("home")).doesNotContain(SECRET);
            assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' '))
                    .contains("-Duser.home=" + s.stateDir.resolve("bots").resolve("runner").resolve("home"));
        }
    }

    private static String stdout(SupervisorProcess s, String bot) {
        try {
            return s.botStdout(bot);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

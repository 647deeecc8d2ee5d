package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor records bot-runner's class-data archive once and every child maps it. */
class ClassDataSharingIT {
    private static final String FLEET = """
            database: { enabled: false }
            defaults:
              health: { heartbeatInterval: 200ms, heartbeatTimeout: 2s }
            bots:
              - { id: one, type: chaos }
              - { id: two, type: chaos }
            """;

    @TempDir
    Path dir;

    @Test
    void archiveIsRecordedAtFirstStartMappedByEveryChildAndReusedAfterARestart() throws Exception {
        String cp = SupervisorProcess.packagedRunnerClasspath();
        Path archive;
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET, cp)) {
            long one = s.awaitState("one", "RUNNING").get("pid").asLong();
            long two = s.awaitState("two", "RUNNING").get("pid").asLong();
            archive = onlyArchive(s);
            assertThat(s.log()).contains("recorded the class-data archive " + archive);
            assertThat(Files.readString(Path.of("/proc", Long.toString(one), "maps"))).contains(archive.toString());
            assertThat(Files.readString(Path.of("/proc", Long.toString(two), "maps"))).contains(archive.toString());
            assertThat(s.ctl("shutdown").exitCode()).isZero();
            assertThat(s.process.waitFor(SupervisorProcess.DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET, cp)) {
            long one = s.awaitState("one", "RUNNING").get("pid").asLong();
            assertThat(onlyArchive(s)).isEqualTo(archive);
            assertThat(s.log()).contains("bot-runner children map the class-data archive " + archive)
                    .doesNotContain("recorded the class-data archive");
            assertThat(Files.readString(Path.of("/proc", Long.toString(one), "maps"))).contains(archive.toString());
        }
    }

    @Test
    void classpathDirectoryTurnsSharingOffWithTheReasonAndBotsStillRun() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET, SupervisorProcess.runnerClasspath())) {
            s.awaitState("one", "RUNNING");
            assertThat(s.log()).containsPattern("class-data sharing for bot-runner children is off: classpath entry "
                    + "\\S+/bot-runner/target/classes is a directory");
            assertThat(s.stateDir.resolve("cds")).doesNotExist();
        }
    }

    private static Path onlyArchive(SupervisorProcess s) throws Exception {
        try (var files = Files.list(s.stateDir.resolve("cds"))) {
            List<Path> archives = files.filter(p -> p.getFileName().toString().endsWith(".jsa")).toList();
            assertThat(archives).as(s.log()).hasSize(1);
            return archives.get(0);
        }
    }
}

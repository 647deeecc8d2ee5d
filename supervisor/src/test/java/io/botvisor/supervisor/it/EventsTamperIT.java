package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bot owns its events queue's directory and can plant there what holds the supervisor's reads of it (issue 10):
 * with a real supervisor, real bots, real FIFOs. The bot is killed and restarted with the reason, its directory is
 * emptied, and the supervisor goes on answering and running the other bots.
 */
class EventsTamperIT {
    // The victim's own writer breaks when the hostile writer rolls its queue: a long heartbeat timeout keeps that from
    // killing it for a hang before its reads are judged.
    private static final String FLEET = SupervisorProcess.FAST_DEFAULTS + """
            database: { enabled: false }
            bots:
              - { id: victim, type: chaos, health: { heartbeatTimeout: 60s } }
              - { id: bystander, type: chaos }
            """;

    @TempDir
    Path dir;

    @Test
    void fifoPlantedInABotsEventsQueueGetsItRestartedWhileTheSupervisorGoesOn() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            Path planted = plantAndAwaitRestart(s, HostileWriter::mkfifo);
            assertThat(s.log()).contains("bot 'victim': reading its events queue has held the supervisor's loop for ")
                    .contains("opened " + planted.getFileName() + " (a FIFO) for writing");
            assertThat(s.bot("victim").get("lastExit").get("reason").asText())
                    .startsWith("its events queue was tampered with: a FIFO in it (" + planted.getFileName() + ")");
        }
    }

    @Test
    void fifoABotUnderWallsPlantsIsOpenedWithTheBotsOwnRights() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to give bots users of their own (CI runs as root); skipped as "
                        + System.getProperty("user.name"));
        SupervisorProcess.openToBots(dir);
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            s.requireWalls();
            Path events = s.stateDir.resolve("ipc/bots/victim/events");
            Object botUid = Files.getAttribute(events, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            assertThat(botUid).as("the bot owns its events directory").isNotEqualTo(0);
            plantAndAwaitRestart(s, p -> {
                HostileWriter.mkfifo(p);
                Files.setAttribute(p, "unix:uid", botUid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", botUid, LinkOption.NOFOLLOW_LINKS);
            });
            assertThat(s.log()).contains("(a FIFO) for writing as its owner, uid " + botUid);
        }
    }

    @Test
    void fileOfZerosPlantedInABotsEventsQueueGetsItRestartedWhileTheSupervisorGoesOn() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            plantAndAwaitRestart(s, HostileWriter::zeros);
            assertThat(s.bot("victim").get("lastExit").get("reason").asText())
                    .startsWith("its events queue was tampered with: a read of it took ");
        }
    }

    @Test
    void fifoLeftInAnEventsDirectoryBeforeTheSupervisorStartsDoesNotHoldItsStart() throws Exception {
        Path events = Files.createDirectories(dir.resolve("state/ipc/bots/victim/events"));
        DateTimeFormatter hour = DateTimeFormatter.ofPattern("yyyyMMdd-HH'F.cq4'");
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
        Path current = events.resolve(hour.format(now));
        HostileWriter.mkfifo(current);
        HostileWriter.mkfifo(events.resolve(hour.format(now.plusHours(1))));
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            s.awaitState("victim", "RUNNING");
            s.awaitState("bystander", "RUNNING");
            assertThat(s.log()).contains("removed 2 entries that were not regular files before opening it");
            assertThat(!Files.exists(current, LinkOption.NOFOLLOW_LINKS)
                    || Files.isRegularFile(current, LinkOption.NOFOLLOW_LINKS))
                    .as("no FIFO there (the bot may have written its own cycle file by now)").isTrue();
        }
    }

    /**
     * Plants beyond the victim's current cycle file and gets the supervisor's reader onto it ({@link HostileWriter}),
     * then waits until the victim runs again, restarted, while the bystander ran on and the supervisor answered.
     * Returns the planted path, which must be gone.
     */
    private static Path plantAndAwaitRestart(SupervisorProcess s, HostileWriter.Plant plant) throws Exception {
        long victim = s.awaitState("victim", "RUNNING").get("pid").asLong();
        long bystander = s.awaitState("bystander", "RUNNING").get("pid").asLong();
        Path events = s.stateDir.resolve("ipc/bots/victim/events");
        s.await("the victim's first cycle file", () -> HostileWriter.currentCycle(events).isPresent());
        Path planted;
        try (HostileWriter w = HostileWriter.plantAhead(events, plant)) {
            planted = w.planted();
            // ctl status answering is the supervisor's loop going on (a read held by a FIFO never returned before).
            JsonNode v = s.awaitBot("victim", "to run again, restarted for tampering with its events queue",
                    b -> b.get("state").asText().equals("RUNNING") && b.get("pid").asLong() != victim);
            assertThat(v.get("lastExit").get("reason").asText()).startsWith("its events queue was tampered with: ");
        }
        assertThat(s.log()).contains("bot 'victim': emptied its events directory (");
        assertThat(Files.exists(planted, LinkOption.NOFOLLOW_LINKS)).as("what was planted is gone").isFalse();
        JsonNode b = s.bot("bystander");
        assertThat(b.get("state").asText()).isEqualTo("RUNNING");
        assertThat(b.get("pid").asLong()).as("the bystander was never restarted").isEqualTo(bystander);
        return planted;
    }
}

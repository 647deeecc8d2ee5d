package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.supervisor.control.ControlClient;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ctl reload} and SIGHUP against a real supervisor and real children: what a new fleet file adds, removes and
 * changes happens to exactly those bots, and a file that is wrong in any way changes nothing.
 */
class ReloadIT {
    private static final String HEAD = SupervisorProcess.FAST_DEFAULTS + "database: { enabled: false }\n";
    private static final String THREE = HEAD + """
            bots:
              - { id: keep, type: chaos }
              - { id: change, type: chaos }
              - { id: drop, command: ["/bin/sh", "-c", "exec sleep 3600"] }
            """;

    @TempDir
    Path dir;

    @Test
    void reloadStartsAddedStopsRemovedRestartsChangedAndLeavesTheRestUntouched() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, THREE)) {
            long keep = s.awaitState("keep", "RUNNING").get("pid").asLong();
            long change = s.awaitState("change", "RUNNING").get("pid").asLong();
            long drop = s.awaitState("drop", "RUNNING").get("pid").asLong();
            SupervisorProcess.writeFleet(dir, HEAD + """
                    bots:
                      - { id: keep, type: chaos }
                      - { id: change, type: chaos, stopTimeout: 3s }
                      - { id: added, command: ["/bin/sh", "-c", "exec sleep 3600"] }
                    """);
            ControlClient.Result r = s.ctl("reload", "--wait");
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("add     added (started)", "change  change (stopTimeout; restarted)",
                    "remove  drop (stopped", "keep    1 bot untouched", "added: RUNNING", "change: RUNNING",
                    "drop: gone");
            assertThat(s.bot("keep").get("pid").asLong()).as("an unchanged bot keeps its process").isEqualTo(keep);
            assertThat(s.bot("change").get("pid").asLong()).isNotEqualTo(change);
            assertThat(s.bot("added").get("state").asText()).isEqualTo("RUNNING");
            assertThat(ids(s)).containsExactly("keep", "change", "added");
            SupervisorProcess.awaitGone(drop);
            SupervisorProcess.awaitGone(change);
        }
    }

    @Test
    void aFleetFileWithProblemsChangesNothingAndTheReplyListsEveryProblem() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, THREE)) {
            long keep = s.awaitState("keep", "RUNNING").get("pid").asLong();
            s.awaitState("drop", "RUNNING");
            SupervisorProcess.writeFleet(dir, HEAD + """
                    bots:
                      - { id: keep, type: chaos, stopTimeout: soon }
                      - { id: new, type: chaos, jvm: { heap: 64x } }
                    """);
            ControlClient.Result r = s.ctl("reload", "--wait");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.output()).contains("stopTimeout", "soon", "64x", "nothing changed");
            assertThat(ids(s)).containsExactly("keep", "change", "drop");
            assertThat(s.bot("keep").get("pid").asLong()).isEqualTo(keep);
            assertThat(s.bot("drop").get("state").asText()).isEqualTo("RUNNING");
        }
    }

    @Test
    void aChangeOfTheDatabaseSectionIsRefusedWithTheReasonAndChangesNothing() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, THREE)) {
            s.awaitState("keep", "RUNNING");
            SupervisorProcess.writeFleet(dir, THREE.replace("database: { enabled: false }", "database: { enabled: true }")
                    .replace("id: keep, type: chaos", "id: keep, type: chaos, stopTimeout: 3s"));
            ControlClient.Result r = s.ctl("reload");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.output()).contains("database.enabled changed", "restart the supervisor", "nothing changed");
            assertThat(s.log()).doesNotContain("bot 'keep' is STOPPING");
        }
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, THREE)) {
            long drop = s.awaitState("drop", "RUNNING").get("pid").asLong();
            SupervisorProcess.writeFleet(dir, THREE.replace("  - { id: drop, command: [\"/bin/sh\", \"-c\", \"exec sleep "
                    + "3600\"] }\n", ""));
            ControlClient.Result r = s.ctl("reload", "--dry-run");
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("dry run: nothing changed", "remove  drop");
            assertThat(ids(s)).contains("drop");
            assertThat(s.bot("drop").get("pid").asLong()).isEqualTo(drop);
        }
    }

    @Test
    void sighupReloadsTheFleetFileAndTheSupervisorLivesOn() throws Exception {
        // A JVM keeps SIGHUP ignored when it starts with it ignored (a build run under nohup): the supervisor, our
        // child, inherits that and says so in its log instead of reloading.
        org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))
                .stream().filter(l -> l.startsWith("SigIgn:")).anyMatch(l -> (Long.parseLong(l.substring(7).strip(),
                        16) & 1) != 0), "SIGHUP is ignored in this test run (started under nohup?): skipped");
        try (SupervisorProcess s = SupervisorProcess.start(dir, THREE)) {
            s.awaitState("keep", "RUNNING");
            SupervisorProcess.writeFleet(dir, THREE + "  - { id: late, command: [\"/bin/sh\", \"-c\", \"exec sleep "
                    + "3600\"] }\n");
            SupervisorProcess.signal(s.process.pid(), "HUP");
            s.await("the bot SIGHUP added to run", () -> ids(s).contains("late")
                    && s.bot("late").get("state").asText().equals("RUNNING"));
            assertThat(s.isAlive()).isTrue();
            assertThat(s.log()).contains("reload (SIGHUP)");
        }
    }

    @Test
    void aSupervisorStartedUnderNohupSaysThatSighupWillNotReload() throws Exception {
        ProcessBuilder pb = SupervisorProcess.command(dir, SupervisorProcess.writeFleet(dir, THREE));
        pb.command().add(0, "nohup");
        try (SupervisorProcess s = SupervisorProcess.launch(dir, pb)) {
            s.await("the supervisor to say so", () -> s.log().contains("SIGHUP is ignored by this process"));
            assertThat(s.log()).contains("use 'botvisor ctl reload'");
        }
    }

    @Test
    void aRemovedBotThatComesBackInALaterReloadStartsAgain() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, THREE)) {
            long first = s.awaitState("change", "RUNNING").get("pid").asLong();
            String without = THREE.replace("  - { id: change, type: chaos }\n", "");
            SupervisorProcess.writeFleet(dir, without);
            assertThat(s.ctl("reload", "--wait").exitCode()).isZero();
            assertThat(ids(s)).doesNotContain("change");
            SupervisorProcess.writeFleet(dir, THREE);
            ControlClient.Result r = s.ctl("reload", "--wait");
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(s.bot("change").get("state").asText()).isEqualTo("RUNNING");
            assertThat(s.bot("change").get("pid").asLong()).isNotEqualTo(first);
        }
    }

    @Test
    void aConfigChangeTheBotTakesLiveKeepsItsProcessAndOneItCannotTakeRestartsIt() throws Exception {
        String fleet = HEAD + """
                bots:
                  - { id: live, type: chaos, config: { logEvery: 1s } }
                  - { id: cold, type: chaos, config: { hangAfter: 1h } }
                """;
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet)) {
            long live = s.awaitState("live", "RUNNING").get("pid").asLong();
            long cold = s.awaitState("cold", "RUNNING").get("pid").asLong();
            SupervisorProcess.writeFleet(dir, fleet.replace("logEvery: 1s", "logEvery: 200ms")
                    .replace("hangAfter: 1h", "hangAfter: 2h"));
            ControlClient.Result r = s.ctl("reload", "--wait");
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("change  live (config; applied live)",
                    "change  cold (config; restarted: the bot did not take it live)");
            assertThat(s.bot("live").get("pid").asLong()).as("took it live: same process").isEqualTo(live);
            assertThat(s.bot("cold").get("pid").asLong()).isNotEqualTo(cold);
            // The new spec is the bot's now: a restart later runs with it, not with the file as it was at start.
            assertThat(s.ctl("reload", "--dry-run").output()).contains("keep    2 bots untouched");
        }
    }

    private static List<String> ids(SupervisorProcess s) {
        ControlClient.Result r = s.ctl("status", "--json");
        assertThat(r.exitCode()).as(r.output()).isZero();
        try {
            return StreamSupport.stream(new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.output())
                    .get("bots").spliterator(), false).map(b -> b.get("id").asText()).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bot its own user: real children, real uids, real permission checks made as those uids. Needs root (CI runs as
 * root); elsewhere these tests skip, saying so.
 */
class WallsIT {
    private static final String TWO_BOTS = SupervisorProcess.FAST_DEFAULTS + """
            database: { enabled: false }
            bots:
              - { id: a, type: chaos }
              - { id: b, command: ["/bin/sh", "-c", "exec sleep 3600"], limits: { processes: 100, openFiles: 200 } }
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void needsRoot() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to give bots users of their own (CI runs as root); skipped as " + System.getProperty("user.name"));
        SupervisorProcess.openToBots(dir);
    }

    @Test
    void eachBotRunsAsItsOwnUserWithNoGroupsNoNewPrivilegesAndItsLimits() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, TWO_BOTS)) {
            s.requireWalls();
            Map<String, String> a = status(s.awaitState("a", "RUNNING").get("pid").asLong());
            Map<String, String> b = status(s.awaitState("b", "RUNNING").get("pid").asLong());
            long uidA = uid(a);
            long uidB = uid(b);
            assertThat(uidA).isNotEqualTo(uidB).isBetween(1_900_000_000L, 1_900_065_535L);
            assertThat(uidB).isBetween(1_900_000_000L, 1_900_065_535L);
            for (Map<String, String> st : List.of(a, b)) {
                assertThat(st.get("Uid").split("\\s+")).as("real, effective, saved, fs uid").containsOnly(
                        Long.toString(uid(st)));
                assertThat(st.get("Gid").split("\\s+")).containsOnly(Long.toString(uid(st)));
                assertThat(st.get("Groups")).as("no supplementary groups").isEmpty();
                assertThat(st.get("NoNewPrivs")).isEqualTo("1");
                assertThat(st.get("CapEff")).isEqualTo("0000000000000000");
            }
            String limits = Files.readString(Path.of("/proc", Long.toString(s.bot("b").get("pid").asLong()),
                    "limits"));
            assertThat(limits).containsPattern("Max processes\\s+100\\s+100").containsPattern("Max open files\\s+200\\s+200");
            assertThat(s.ctl("status").output()).contains("ISOLATION each bot runs as its own user");
            assertThat(s.bot("a").toString()).doesNotContain("WARNING");
        }
    }

    @Test
    void botsKeepTheirUidsAcrossASupervisorRestart() throws Exception {
        long before;
        try (SupervisorProcess s = SupervisorProcess.start(dir, TWO_BOTS)) {
            s.requireWalls();
            before = uid(status(s.awaitState("a", "RUNNING").get("pid").asLong()));
        }
        try (SupervisorProcess s = SupervisorProcess.start(dir, TWO_BOTS)) {
            s.requireWalls();
            assertThat(uid(status(s.awaitState("a", "RUNNING").get("pid").asLong()))).isEqualTo(before);
        }
    }

    @Test
    void aBotCannotEnterAnotherBotsDirectoriesOrTheSupervisorsButCanUseItsOwn() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, TWO_BOTS)) {
            s.requireWalls();
            long uidA = uid(status(s.awaitState("a", "RUNNING").get("pid").asLong()));
            s.awaitState("b", "RUNNING");
            Path state = s.stateDir;
            // What a may do, as a, proves the checks below would see access.
            assertThat(as(uidA, "touch", state.resolve("bots/a/home/mine").toString())).isZero();
            assertThat(as(uidA, "ls", state.resolve("ipc/bots/a/commands").toString())).isZero();
            for (String theirs : List.of("bots/b/home", "bots/b/tmp", "ipc/bots/b", "ipc/bots", "ipc/control", "logs",
                    "run/b")) {
                assertThat(as(uidA, "ls", state.resolve(theirs).toString())).as("a lists " + theirs).isNotZero();
            }
            assertThat(as(uidA, "touch", state.resolve("bots/b/home/planted").toString())).isNotZero();
            assertThat(as(uidA, "touch", state.resolve("ipc/bots/a/commands/planted").toString()))
                    .as("a writes its own commands queue").isNotZero();
            assertThat(Files.getPosixFilePermissions(state.resolve("bots/a/home")))
                    .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void whatABotLeavesRunningUnderItsUidIsKilledWhenItsChildGoes() throws Exception {
        // A subshell starts a sleep in a session of its own and exits: the sleep leaves the bot's process tree
        // (its parent becomes init); only its uid still ties it to the bot.
        try (SupervisorProcess s = SupervisorProcess.start(dir, SupervisorProcess.FAST_DEFAULTS + """
                database: { enabled: false }
                bots:
                  - { id: leaver, command: ["/bin/sh", "-c", "(setsid sleep 3600 & echo left $!); sleep 3600"] }
                """)) {
            s.requireWalls();
            long pid = s.awaitState("leaver", "RUNNING").get("pid").asLong();
            s.await("the escapee to start", () -> stdoutOf(s, "leaver").contains("left "));
            long escapee = Long.parseLong(stdoutOf(s, "leaver").replaceAll("(?s).*left (\\d+).*", "$1"));
            ProcessHandle bot = ProcessHandle.of(pid).orElseThrow();
            s.await("the escapee to leave the bot's tree",
                    () -> bot.descendants().noneMatch(d -> d.pid() == escapee));
            assertThat(ProcessHandle.of(escapee)).as("escaped, and alive").isPresent();
            assertThat(uid(status(escapee))).as("a bot's child processes run as the bot").isEqualTo(uid(status(pid)));
            assertThat(s.ctl("stop", "leaver").exitCode()).isZero();
            SupervisorProcess.awaitGone(pid);
            SupervisorProcess.awaitGone(escapee);
        }
    }

    @Test
    void aProcessLeftUnderABotsUidBeforeStartIsKilledAtItsFirstLaunchAndOnlyThatBotsUidIsSwept() throws Exception {
        long uidA;
        long uidB;
        try (SupervisorProcess s = SupervisorProcess.start(dir, TWO_BOTS)) {
            s.requireWalls();
            uidA = uid(status(s.awaitState("a", "RUNNING").get("pid").asLong()));
            uidB = uid(status(s.awaitState("b", "RUNNING").get("pid").asLong()));
        }
        // As if an earlier supervisor had died leaving a's escapee behind: a process of a's uid, outside any tree of
        // the next supervisor. A process of b's uid would be swept too; one of another uid must survive.
        Process leftover = new ProcessBuilder("setpriv", "--reuid=" + uidA, "--regid=" + uidA, "--clear-groups", "--",
                "sleep", "3600").start();
        Process bystander = new ProcessBuilder("setpriv", "--reuid=" + (uidB + 1000), "--regid=" + (uidB + 1000),
                "--clear-groups", "--", "sleep", "3600").start();
        try {
            awaitUid(leftover.pid(), uidA);
            awaitUid(bystander.pid(), uidB + 1000);
            try (SupervisorProcess s = SupervisorProcess.start(dir, TWO_BOTS)) {
                s.requireWalls();
                s.awaitState("a", "RUNNING");
                assertThat(leftover.waitFor(30, TimeUnit.SECONDS)).as("a's leftover killed").isTrue();
                s.await("the sweep's log line", () -> s.log().contains("bot 'a': its uid has processes left from before"));
                assertThat(s.log()).doesNotContain("bot 'b': its uid has processes left from before");
                assertThat(bystander.isAlive()).as("a process of a uid no bot has").isTrue();
            }
        } finally {
            leftover.destroyForcibly();
            bystander.destroyForcibly();
        }
    }

    @Test
    void aBotAddedByAReloadRunsAsANewUserOfItsOwnAndKeepsItAfterwards() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, TWO_BOTS)) {
            s.requireWalls();
            long uidA = uid(status(s.awaitState("a", "RUNNING").get("pid").asLong()));
            long uidB = uid(status(s.awaitState("b", "RUNNING").get("pid").asLong()));
            SupervisorProcess.writeFleet(dir, TWO_BOTS + "  - { id: c, type: chaos }\n");
            var r = s.ctl("reload", "--wait");
            assertThat(r.exitCode()).as(r.output()).isZero();
            long uidC = uid(status(s.awaitState("c", "RUNNING").get("pid").asLong()));
            assertThat(uidC).isBetween(1_900_000_000L, 1_900_065_535L).isNotIn(uidA, uidB);
            assertThat(Files.readString(s.stateDir.resolve("uids"))).contains("c=" + uidC);
            assertThat(Files.getPosixFilePermissions(s.stateDir.resolve("bots/c/home")))
                    .isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(as(uidC, "ls", s.stateDir.resolve("bots/a/home").toString())).isNotZero();
        }
    }

    @Test
    void aSecondSupervisorOnTheHostCannotGiveItsBotsTheUidsOfTheFirstsRunningBots() throws Exception {
        Path first = SupervisorProcess.openToBots(Files.createDirectories(dir.resolve("first")));
        Path second = SupervisorProcess.openToBots(Files.createDirectories(dir.resolve("second")));
        try (SupervisorProcess s = SupervisorProcess.start(first, TWO_BOTS)) {
            s.requireWalls();
            long pidA = s.awaitState("a", "RUNNING").get("pid").asLong();
            long uidA = uid(status(pidA));
            // The same range: its bot 'a' would get the same first uid, read the first's files, and its exits would
            // sweep (kill -1 as that uid) the first's bot.
            try (SupervisorProcess rival = SupervisorProcess.launch(second, TWO_BOTS,
                    SupervisorProcess.runnerClasspath())) {
                assertThat(rival.process.waitFor(SupervisorProcess.DEADLINE.toSeconds(), TimeUnit.SECONDS))
                        .as("the second supervisor gave up; its output:%n%s", rival.log()).isTrue();
                assertThat(rival.process.exitValue()).isNotZero();
                assertThat(rival.log()).contains("bot 'a' would run as uid " + uidA + ", which bot 'a' of the "
                        + "supervisor with state dir " + first.resolve("state").toRealPath())
                        .contains("give each supervisor on a host its own supervisor.botUids range");
                assertThat(second.resolve("state/uids")).as("a refused start records no uid").doesNotExist();
            }
            assertThat(s.bot("a").get("pid").asLong()).as("the first's bot, untouched").isEqualTo(pidA);
            assertThat(s.bot("a").get("state").asText()).isEqualTo("RUNNING");
            // Its own range: both run.
            String ownRange = "supervisor: { botUids: 1900100000-1900100099 }\n" + TWO_BOTS;
            try (SupervisorProcess apart = SupervisorProcess.start(second, ownRange)) {
                apart.requireWalls();
                assertThat(uid(status(apart.awaitState("a", "RUNNING").get("pid").asLong())))
                        .isBetween(1_900_100_000L, 1_900_100_099L);
            }
        }
    }

    @Test
    void aForkBombStopsAtItsBotsProcessLimitWhileTheOtherBotKeepsHeartbeating() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, SupervisorProcess.FAST_DEFAULTS + """
                database: { enabled: false }
                bots:
                  - { id: calm, type: chaos }
                  - { id: bomber, type: attack, config: { peer: calm, forkBomb: 200 }, limits: { processes: 64 } }
                """)) {
            s.requireWalls();
            long restartsBefore = s.awaitState("calm", "RUNNING").get("restarts").asLong();
            s.await("the fork bomb to end", () -> stdoutOf(s, "bomber").contains("attack: done"),
                    () -> "--- bomber stdout.log:\n" + stdoutOf(s, "bomber") + "\n" + s.diagnostics("bomber")
                            + "\n--- the tasks of the bomber's uid:\n" + tasksOf(s, "bomber"));
            String out = stdoutOf(s, "bomber");
            assertThat(out).containsPattern("attack forkBomb: started \\d+ of 200").contains("attack forkBomb: refused");
            int started = Integer.parseInt(out.replaceAll("(?s).*attack forkBomb: started (\\d+) of 200.*", "$1"));
            assertThat(started).as("stopped by its own limit of 64 tasks, JVM threads included").isLessThan(64);
            // The other bot kept heartbeating throughout (a 1 s gap would have had it killed and restarted as hung).
            JsonNode calm = s.bot("calm");
            assertThat(calm.get("state").asText()).isEqualTo("RUNNING");
            assertThat(calm.get("restarts").asLong()).isEqualTo(restartsBefore);
        }
    }

    /** {@code ps} of every process of the bot's uid (with its thread count): what its process limit counts. */
    private static String tasksOf(SupervisorProcess s, String bot) {
        try {
            String uid = Files.readAllLines(s.stateDir.resolve("uids")).stream().filter(l -> l.startsWith(bot + "="))
                    .map(l -> l.substring(bot.length() + 1)).findFirst().orElse("?");
            Process p = new ProcessBuilder("ps", "-o", "pid,ppid,stat,nlwp,etime,args", "-u", uid)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(30, TimeUnit.SECONDS);
            return "uid " + uid + ":\n" + out;
        } catch (Exception e) {
            return "(cannot list: " + e + ")";
        }
    }

    private static String stdoutOf(SupervisorProcess s, String bot) {
        try {
            return s.botStdout(bot);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs a command as uid:uid with no groups; its exit code. */
    private static int as(long uid, String... cmd) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid,
                "--clear-groups", "--"));
        argv.addAll(List.of(cmd));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static Map<String, String> status(long pid) throws Exception {
        Map<String, String> out = new java.util.HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            int colon = line.indexOf(':');
            out.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return out;
    }

    /** Polls until setpriv has dropped {@code pid} to {@code uid} (it execs at once; a deadline, not a guess). */
    private static void awaitUid(long pid, long uid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                if (uid(status(pid)) == uid) {
                    return;
                }
            } catch (java.io.IOException gone) {
                throw new AssertionError("process " + pid + " exited before running as " + uid, gone);
            }
            assertThat(System.nanoTime()).as("process " + pid + " running as " + uid).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    private static long uid(Map<String, String> status) {
        return Long.parseLong(status.get("Uid").split("\\s+")[0]);
    }
}

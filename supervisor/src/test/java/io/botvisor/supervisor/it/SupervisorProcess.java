package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.botvisor.supervisor.control.ControlClient;
import io.botvisor.supervisor.process.LaunchSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A real supervisor JVM on a temporary state dir, started the way scripts/botvisor starts it, with real bot-runner
 * children. Tests talk to it with the real control client. Closing it shuts it down and kills whatever is left.
 */
final class SupervisorProcess implements AutoCloseable {
    static final Duration DEADLINE = Duration.ofSeconds(45);
    /** Fleet-file defaults that make tests quick: short backoff, heartbeats and stop timeout. */
    static final String FAST_DEFAULTS = """
            defaults:
              restart: { backoff: { initial: 100ms, max: 1s } }
              health: { heartbeatInterval: 200ms, heartbeatTimeout: 1s, startupTimeout: 20s }
              stopTimeout: 2s
            """;
    private static final ObjectMapper JSON = new ObjectMapper();
    final Path dir;
    final Path stateDir;
    final Path output;
    final Process process;

    private SupervisorProcess(Path dir, Process process) {
        this.dir = dir;
        this.stateDir = dir.resolve("state");
        this.output = dir.resolve("supervisor.out");
        this.process = process;
    }

    static String runnerClasspath() {
        Path runner = Path.of("..", "bot-runner", "target").toAbsolutePath().normalize();
        assertThat(runner.resolve("lib")).as("bot-runner must be packaged first (mvn verify does it)").isDirectory();
        return runner.resolve("classes") + ":" + runner.resolve("lib") + "/*";
    }

    /** The classpath scripts/botvisor gives children: the packaged jar, whose classes can be archived. */
    static String packagedRunnerClasspath() throws IOException {
        Path runner = Path.of("..", "bot-runner", "target").toAbsolutePath().normalize();
        try (var jars = Files.list(runner)) {
            Path jar = jars.filter(p -> p.getFileName().toString().matches("bot-runner-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("bot-runner must be packaged first (mvn verify does it)"));
            return jar + ":" + runner.resolve("lib") + "/*";
        }
    }

    static ProcessBuilder command(Path dir, Path fleet) {
        return command(dir, fleet, runnerClasspath());
    }

    /** {@code botvisor ARGS…} as a JVM of its own, on this test's classpath, with the Chronicle flags. */
    static List<String> botvisor(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(LaunchSettings.chronicleFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.botvisor.supervisor.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static ProcessBuilder command(Path dir, Path fleet, String runnerClasspath) {
        List<String> cmd = botvisor("run", "--config", fleet.toString(), "--state-dir", dir.resolve("state").toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("supervisor.out").toFile());
        pb.environment().put("BOTVISOR_RUNNER_CLASSPATH", runnerClasspath);
        return pb;
    }

    /** What a {@code botvisor db …} run printed and returned. */
    record DbRun(int exitCode, String stdout, String stderr) {
    }

    /** Runs {@code botvisor db ARGS} with {@code --config FLEET --state-dir DIR/state} in a JVM of its own, to its end. */
    static DbRun db(Path dir, Path fleet, String... args) throws IOException, InterruptedException {
        return db(dir, fleet, java.util.Map.of(), args);
    }

    /** As {@link #db(Path, Path, String...)}, with {@code env} added to the command's environment. */
    static DbRun db(Path dir, Path fleet, java.util.Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        // botvisor db SUBCOMMAND --config … --state-dir … REST: the options go before a "--" in REST.
        List<String> cmd = botvisor("db", args[0], "--config", fleet.toString(), "--state-dir",
                dir.resolve("state").toString());
        cmd.addAll(List.of(args).subList(1, args.length));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("db " + String.join(" ", args) + " finished").isTrue();
        return new DbRun(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Runs {@code botvisor ARGS} as given, in {@code cwd}, in a JVM of its own, to its end. */
    static DbRun run(Path cwd, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(cwd, "out", ".txt");
        Path err = Files.createTempFile(cwd, "err", ".txt");
        Process p = new ProcessBuilder(botvisor(args)).directory(cwd.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", args) + " finished").isTrue();
        return new DbRun(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A supervisor started with {@code pb} (from {@link #command}, changed by the caller) on {@code dir}. */
    static SupervisorProcess launch(Path dir, ProcessBuilder pb) throws IOException {
        return new SupervisorProcess(dir, pb.start());
    }

    /**
     * Makes {@code dir} (a JUnit temp dir: 0700) searchable by others, so that bots running as users of their own
     * (as root) can reach the state dir inside it; without it the supervisor runs them without walls, and says so.
     */
    static Path openToBots(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        return dir;
    }

    static SupervisorProcess start(Path dir, String fleetYaml) throws IOException {
        return start(dir, fleetYaml, runnerClasspath());
    }

    static SupervisorProcess start(Path dir, String fleetYaml, String runnerClasspath) throws IOException {
        SupervisorProcess s = launch(dir, fleetYaml, runnerClasspath);
        s.await("the supervisor to take its lock", () -> Files.exists(s.stateDir.resolve("supervisor.lock"))
                && s.log().contains("supervising"));
        return s;
    }

    /** A fleet of one drill bot on the embedded database (4 hash partitions: quick to create), for db commands. */
    static final String ONE_BOT_DB_FLEET = "database: { hashPartitions: 4 }\nbots:\n  - { id: one, type: chaos }\n";

    /** Writes {@code yaml} as {@code dir/fleet.yaml} and returns its path. */
    static Path writeFleet(Path dir, String yaml) throws IOException {
        Path fleet = dir.resolve("fleet.yaml");
        Files.writeString(fleet, yaml);
        return fleet;
    }

    /** Starts the supervisor JVM and returns at once, before it took its lock. */
    static SupervisorProcess launch(Path dir, String fleetYaml, String runnerClasspath) throws IOException {
        return launch(dir, fleetYaml, runnerClasspath, java.util.Map.of());
    }

    /** {@link #launch}, with {@code env} added to the supervisor's environment. */
    static SupervisorProcess launch(Path dir, String fleetYaml, String runnerClasspath,
                                    java.util.Map<String, String> env) throws IOException {
        ProcessBuilder pb = command(dir, writeFleet(dir, fleetYaml), runnerClasspath);
        pb.environment().putAll(env);
        return new SupervisorProcess(dir, pb.start());
    }

    /**
     * {@link #launch}, its command run as {@code /bin/sh -c SCRIPT sh COMMAND…}: SCRIPT ends in {@code exec "$@"}, so
     * the supervisor keeps the shell's pid ({@code $$}), e.g. for a variable that must name it (WATCHDOG_PID).
     */
    static SupervisorProcess launchThroughShell(Path dir, String fleetYaml, String runnerClasspath,
                                                java.util.Map<String, String> env, String script) throws IOException {
        ProcessBuilder pb = command(dir, writeFleet(dir, fleetYaml), runnerClasspath);
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", script, "sh"));
        cmd.addAll(pb.command());
        pb.command(cmd).environment().putAll(env);
        return new SupervisorProcess(dir, pb.start());
    }

    ControlClient.Result ctl(String command, String... args) {
        return ControlClient.send(stateDir, command, Arrays.asList(args), Duration.ofSeconds(30));
    }

    /** What a {@code botvisor ctl …} run printed and returned. */
    record CtlRun(int exitCode, String stdout, String stderr) {
    }

    /** Runs the real CLI, {@code botvisor ctl --state-dir DIR/state ARGS}, in a JVM of its own, to its end. */
    CtlRun ctlCli(String... args) throws IOException, InterruptedException {
        List<String> cmd = botvisor("ctl", "--state-dir", stateDir.toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "ctl-out", ".txt");
        Path err = Files.createTempFile(dir, "ctl-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("ctl " + String.join(" ", args) + " finished").isTrue();
        return new CtlRun(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * Skips the calling test, saying why, when the supervisor runs without walls because a bot's user could not reach
     * what it must (a checkout in a directory only root may enter); any other reason for no walls fails the test.
     */
    void requireWalls() {
        ControlClient.Result r = ctl("status", "--json");
        assertThat(r.exitCode()).as(r.output()).isZero();
        JsonNode isolation;
        try {
            isolation = JSON.readTree(r.output()).get("isolation");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        if (!isolation.get("users").asBoolean() && isolation.get("detail").asText().contains("cannot reach")) {
            org.junit.jupiter.api.Assumptions.abort("walls are off here: " + isolation.get("detail").asText());
        }
        assertThat(isolation.get("users").asBoolean()).as(isolation.toString()).isTrue();
    }

    /** The whole {@code status --json}. */
    JsonNode status() {
        ControlClient.Result r = ctl("status", "--json");
        assertThat(r.exitCode()).as(r.output()).isZero();
        try {
            return JSON.readTree(r.output());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode bot(String id) {
        ControlClient.Result r = ctl("status", "--json");
        assertThat(r.exitCode()).as(r.output()).isZero();
        try {
            for (JsonNode b : JSON.readTree(r.output()).get("bots")) {
                if (b.get("id").asText().equals(id)) {
                    return b;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no bot " + id + " in " + r.output());
    }

    JsonNode awaitBot(String id, String description, java.util.function.Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        await("bot " + id + " " + description, () -> condition.test(last[0] = bot(id)), () -> String.valueOf(last[0]));
        return last[0];
    }

    JsonNode awaitState(String id, String state) {
        return awaitBot(id, "to be " + state, b -> b.get("state").asText().equals(state));
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.exists(output) ? Files.readString(output) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String botStdout(String id) throws IOException {
        Path f = stateDir.resolve("logs").resolve(id).resolve("stdout.log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    /** What to read when a bot misbehaved: the tails of its stderr log and of the supervisor's output. */
    String diagnostics(String id) {
        return "--- " + id + " stderr.log (tail):\n" + tail(stateDir.resolve("logs").resolve(id).resolve("stderr.log"))
                + "\n--- supervisor (tail):\n" + tail(output);
    }

    private static String tail(Path f) {
        try {
            if (!Files.exists(f)) {
                return "(no " + f + ")";
            }
            List<String> lines = Files.readAllLines(f);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    void await(String what, BooleanSupplier condition) {
        await(what, condition, this::log);
    }

    void await(String what, BooleanSupplier condition, Supplier<String> context) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "\n" + context.get() + "\n--- supervisor:\n"
                        + log());
            }
            try {
                // Polling a condition against a deadline (the brief's rule for tests), not a timing guess.
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static void awaitGone(long pid) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("process " + pid + " is still alive");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static void signal(long pid, String signal) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor()).isZero();
    }

    @Override
    public void close() throws Exception {
        List<ProcessHandle> tree = new ArrayList<>();
        process.toHandle().descendants().forEach(tree::add);
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    /** The first column of the first row {@code sql} returns on {@code e} (null when none). */
    static String query(io.botvisor.storage.DbEndpoint e, String sql) throws java.sql.SQLException {
        try (java.sql.Connection c = e.connect(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}

package io.botvisor.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What an operator does to botvisor, done the operator's way: {@code scripts/botvisor run} and {@code ctl}, signals,
 * and reading {@code STATE/metrics/status.json} and the embedded database's {@code postmaster.pid}. One per run; the
 * run's threads share it (the supervisor's process is swapped under a lock).
 */
final class Operator {
    private final Path home;
    private final Path fleet;
    private final Path state;
    private final Path log;
    private final ObjectMapper json = new ObjectMapper();
    private Process supervisor;

    Operator(Path home, Path fleet, Path state, Path log) {
        this.home = home;
        this.fleet = fleet;
        this.state = state;
        this.log = log;
    }

    /** Starts {@code botvisor run}; its output goes to the run's supervisor log. */
    synchronized void startSupervisor() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("scripts/botvisor").toString(), "run", "--config",
                fleet.toString(), "--state-dir", state.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.PIPE); // kept open: the supervisor reads nothing from it
        supervisor = pb.start();
    }

    synchronized long supervisorPid() {
        return supervisor == null ? 0 : supervisor.pid();
    }

    synchronized boolean supervisorAlive() {
        return supervisor != null && supervisor.isAlive();
    }

    /** {@code kill -9} of the supervisor; returns once it is gone. */
    synchronized void killSupervisor() throws InterruptedException {
        supervisor.destroyForcibly();
        supervisor.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM to the supervisor and the wait for its exit (its bots and database stop with it). */
    synchronized int stopSupervisor(Duration deadline) throws InterruptedException {
        if (supervisor == null || !supervisor.isAlive()) {
            return supervisor == null ? -1 : supervisor.exitValue();
        }
        supervisor.destroy();
        if (!supervisor.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            supervisor.destroyForcibly();
            supervisor.waitFor(10, TimeUnit.SECONDS);
        }
        return supervisor.exitValue();
    }

    /** The result of one {@code botvisor ctl} command. */
    record CtlResult(int exitCode, String output) {
    }

    CtlResult ctl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("scripts/botvisor").toString(), "ctl", "--state-dir",
                state.toString(), "--timeout", "90s"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new CtlResult(-1, out + "\n(ctl did not end within 120 s)");
        }
        return new CtlResult(p.exitValue(), out);
    }

    /** A bot as the last status.json showed it. */
    record BotView(String id, String state, long pid, boolean handingOver) {
    }

    /** The bots of the running supervisor's last status.json, by id; empty when it wrote none yet. */
    Map<String, BotView> bots() {
        Map<String, BotView> out = new LinkedHashMap<>();
        JsonNode root;
        try {
            root = json.readTree(state.resolve("metrics/status.json").toFile());
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            return out; // being replaced this instant: read again later
        }
        if (root == null || !root.has("bots") || root.path("supervisorPid").asLong() != supervisorPid()) {
            return out; // none yet, or an earlier supervisor's (killed: it never rewrote it)
        }
        for (JsonNode b : root.get("bots")) {
            out.put(b.get("id").asText(), new BotView(b.get("id").asText(), b.get("state").asText(),
                    b.path("pid").asLong(0), b.path("handover").isObject()));
        }
        return out;
    }

    /** Whether every one of {@code count} bots is RUNNING with no handover in progress. */
    boolean allRunning(int count) {
        Map<String, BotView> b = bots();
        return b.size() == count && b.values().stream().allMatch(v -> v.state().equals("RUNNING") && !v.handingOver());
    }

    /** The embedded PostgreSQL's postmaster, when its pid file names a live process. */
    OptionalLong postmaster() {
        try {
            List<String> lines = Files.readAllLines(state.resolve("db/data/postmaster.pid"));
            long pid = Long.parseLong(lines.get(0).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? OptionalLong.of(pid)
                    : OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The process and every descendant, parents first. */
    static List<Long> tree(long pid) {
        List<Long> out = new ArrayList<>();
        out.add(pid);
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> out.add(d.pid())));
        return out;
    }

    static void signal(long pid, String signal) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** Polls {@code condition} every 250 ms until it holds (true) or {@code deadline} passed (false). */
    static boolean await(Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(250); // a poll interval with a deadline around it
        }
        return true;
    }
}

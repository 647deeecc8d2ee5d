package io.botvisor.supervisor.it;

import static io.botvisor.supervisor.metrics.PromParser.series;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.botvisor.supervisor.control.ControlClient;
import io.botvisor.supervisor.control.SchemaCheck;
import io.botvisor.supervisor.metrics.PromParser;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STATE/metrics/botvisor.prom and status.json, written by a real supervisor for real bots. */
class MetricFilesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A drill bot that counts "ticks" ten times a second (its self-check stays healthy for an hour), and a command. */
    private static final String FLEET = SupervisorProcess.FAST_DEFAULTS + """
            supervisor: { metrics: { interval: 1s } }
            database: { enabled: false }
            bots:
              - { id: ticker, type: chaos, config: { unhealthyAfter: 1h } }
              - { id: plain, command: ["sleep", "600"] }
            """;

    @TempDir
    Path dir;

    private static Path prom(SupervisorProcess s) {
        return s.stateDir.resolve("metrics").resolve("botvisor.prom");
    }

    /** The metric file's families, once it exists and parses (it is replaced whole, so it always should). */
    private static Map<String, PromParser.Family> families(SupervisorProcess s) {
        try {
            return PromParser.parse(Files.readString(prom(s)));
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static double value(Map<String, PromParser.Family> f, String family, String series) {
        PromParser.Family fam = f.get(family);
        Double v = fam == null ? null : fam.samples().get(series);
        return v == null ? -1 : v;
    }

    private static Map<String, PromParser.Family> awaitMetrics(SupervisorProcess s, String what,
                                                              java.util.function.Predicate<Map<String, PromParser.Family>> ok) {
        AtomicReference<Map<String, PromParser.Family>> last = new AtomicReference<>(Map.of());
        s.await("the metric file to show " + what, () -> {
            last.set(families(s));
            return ok.test(last.get());
        }, () -> String.valueOf(last.get()));
        return last.get();
    }

    private static boolean bothUp(Map<String, PromParser.Family> f) {
        return value(f, "botvisor_bot_up", series("botvisor_bot_up", "bot", "ticker")) == 1
                && value(f, "botvisor_bot_up", series("botvisor_bot_up", "bot", "plain")) == 1;
    }

    @Test
    void metricFileParsesAndShowsEveryBot() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            Map<String, PromParser.Family> f = awaitMetrics(s, "both bots up and ticker scored", m -> bothUp(m)
                    && value(m, "botvisor_bot_health_score", series("botvisor_bot_health_score", "bot", "ticker")) > 0);
            assertThat(f.get("botvisor_bot_health_score").samples()).as("a command: bot has no health score")
                    .doesNotContainKey(series("botvisor_bot_health_score", "bot", "plain"));
            assertThat(value(f, "botvisor_bot_state", series("botvisor_bot_state", "bot", "plain", "state", "RUNNING")))
                    .isEqualTo(1);
            assertThat(value(f, "botvisor_bot_start_time_seconds", series("botvisor_bot_start_time_seconds", "bot",
                    "plain"))).isGreaterThan(1.7e9);
            assertThat(value(f, "botvisor_supervisor_up", "botvisor_supervisor_up")).isEqualTo(1);
            assertThat(f).containsKeys("botvisor_bot_resident_memory_bytes", "botvisor_bot_heap_used_bytes",
                    "botvisor_bot_last_heartbeat_timestamp_seconds", "botvisor_bot_cpu_seconds_total",
                    "botvisor_supervisor_start_time_seconds", "botvisor_supervisor_cpu_seconds_total",
                    "botvisor_build_info");
        }
    }

    @Test
    void countersSurviveARestartOfTheBot() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            String ticks = series("botvisor_bot_events_total", "bot", "ticker", "name", "ticks");
            Map<String, PromParser.Family> before = awaitMetrics(s, "ticker counting ticks",
                    m -> value(m, "botvisor_bot_events_total", ticks) > 0);
            double ticksBefore = value(before, "botvisor_bot_events_total", ticks);
            long pid = s.awaitState("ticker", "RUNNING").get("pid").asLong();
            SupervisorProcess.signal(pid, "KILL");
            s.awaitBot("ticker", "to run again", b -> b.get("state").asText().equals("RUNNING")
                    && b.get("pid").asLong() != pid);
            Map<String, PromParser.Family> after = awaitMetrics(s, "the restart and the crash", m ->
                    value(m, "botvisor_bot_restarts_total", series("botvisor_bot_restarts_total", "bot", "ticker")) == 1
                    && value(m, "botvisor_bot_exits_total", series("botvisor_bot_exits_total", "bot", "ticker",
                            "reason", "crash")) == 1);
            assertThat(value(after, "botvisor_bot_events_total", ticks)).as("ticks counted before the kill are kept")
                    .isGreaterThanOrEqualTo(ticksBefore);
            assertThat(value(after, "botvisor_bot_exits_total", series("botvisor_bot_exits_total", "bot", "ticker",
                    "reason", "hang"))).isZero();
            JsonNode ticker = s.bot("ticker");
            assertThat(ticker.get("exits").get("crash").asLong()).isEqualTo(1);
            assertThat(ticker.get("lastExit").get("cause").asText()).isEqualTo("crash");
        }
    }

    @Test
    void statusJsonAndCtlStatusJsonFitTheDocumentedSchema() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            awaitMetrics(s, "both bots up", MetricFilesIT::bothUp);
            JsonNode schema = SchemaCheck.statusSchema();
            Path statusJson = s.stateDir.resolve("metrics").resolve("status.json");
            JsonNode file = JSON.readTree(Files.readString(statusJson));
            assertThat(SchemaCheck.problems(schema, file)).isEmpty();
            ControlClient.Result r = s.ctl("status", "--json");
            JsonNode ctl = JSON.readTree(r.output());
            assertThat(SchemaCheck.problems(schema, ctl)).isEmpty();
            assertThat(fieldNames(file)).isEqualTo(fieldNames(ctl));
            assertThat(file.get("bots").findValuesAsText("id")).isEqualTo(ctl.get("bots").findValuesAsText("id"));
        }
    }

    @Test
    void commandBotHasNoHealthInStatus() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            JsonNode plain = s.awaitState("plain", "RUNNING");
            s.awaitBot("ticker", "to be scored", b -> b.get("health").isInt());
            assertThat(plain.get("kind").asText()).isEqualTo("command");
            assertThat(plain.get("health").isNull()).as(plain.toString()).isTrue();
            assertThat(plain.get("gcSeconds").isNull()).as(plain.toString()).isTrue();
            assertThat(plain.get("pid").isIntegralNumber()).isTrue();
        }
    }

    @Test
    void tempFileNeverEndsInProm() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            Path metrics = s.stateDir.resolve("metrics");
            s.await("the metrics directory", () -> Files.isDirectory(metrics));
            List<String> created = new ArrayList<>();
            try (WatchService watch = FileSystems.getDefault().newWatchService()) {
                metrics.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
                long deadline = System.nanoTime() + SupervisorProcess.DEADLINE.toNanos();
                // Proves the watch sees temp files at all: three writes' worth of them.
                while (created.stream().filter(n -> n.endsWith(".tmp")).count() < 6 && System.nanoTime() < deadline) {
                    WatchKey key = watch.poll(1, TimeUnit.SECONDS);
                    if (key == null) {
                        continue;
                    }
                    for (WatchEvent<?> e : key.pollEvents()) {
                        if (e.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
                            created.add(e.context().toString());
                        }
                    }
                    key.reset();
                }
            }
            assertThat(created).as("temp files were seen").anyMatch(n -> n.endsWith(".tmp"));
            assertThat(created).filteredOn(n -> n.endsWith(".prom")).containsOnly("botvisor.prom");
            assertThat(created).containsOnly(".botvisor.prom.tmp", ".status.json.tmp", "botvisor.prom", "status.json");
        }
    }

    @Test
    void statusOfNamedBotsShowsOnlyThem() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            ControlClient.Result all = s.ctl("status");
            assertThat(all.output()).contains("\nticker ").contains("\nplain ");
            ControlClient.Result one = s.ctl("status", "plain");
            assertThat(one.exitCode()).isZero();
            assertThat(one.output()).contains("\nplain ").doesNotContain("ticker");
            ControlClient.Result json = s.ctl("status", "--json", "ticker");
            assertThat(JSON.readTree(json.output()).get("bots").findValuesAsText("id")).containsExactly("ticker");
        }
    }

    @Test
    void statusOfAnUnknownBotIsRefusedNamingIt() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            ControlClient.Result r = s.ctl("status", "plain", "nope-1");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.output()).isEqualTo("unknown bot 'nope-1' (known: ticker, plain)");
        }
    }

    @Test
    void metricFilesAreReadableByTheirGroupAndNotByABot() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch users");
        SupervisorProcess.openToBots(dir);
        String fleet = FLEET.replace("metrics: { interval: 1s }", "metrics: { interval: 1s, group: \"65534\" }");
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet)) {
            s.requireWalls();
            awaitMetrics(s, "both bots up", MetricFilesIT::bothUp);
            Path metrics = s.stateDir.resolve("metrics");
            assertThat(((Number) Files.getAttribute(metrics, "unix:gid")).longValue()).isEqualTo(65534);
            assertThat(((Number) Files.getAttribute(metrics, "unix:mode")).intValue() & 07777).isEqualTo(02750);
            assertThat(((Number) Files.getAttribute(prom(s), "unix:mode")).intValue() & 0777).isEqualTo(0640);
            long botUid = Long.parseLong(Files.readAllLines(s.stateDir.resolve("uids")).stream()
                    .filter(l -> l.startsWith("ticker=")).findFirst().orElseThrow().substring("ticker=".length()));
            assertThat(catAs(65534, prom(s))).as("a member of the group reads it").isZero();
            assertThat(catAs(botUid, prom(s))).as("a bot does not").isNotZero();
        }
    }

    /** {@code cat FILE} as {@code id} (uid and gid), no other groups: its exit code. */
    private static int catAs(long id, Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups", "cat",
                file.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}

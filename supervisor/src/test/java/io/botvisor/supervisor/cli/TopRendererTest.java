package io.botvisor.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopRendererTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-30T21:00:10Z");

    /** Three bots as status --json of schemaVersion 1 gives them (docs/status-json.md), nulls where unknown. */
    private static final String FLEET = """
            {"schemaVersion": 1, "time": "2026-11-30T21:00:09Z", "supervisorPid": 4242,
             "database": {"kind": "embedded", "state": "UP", "up": true, "connections": {"budget": 60, "reserved": 3}},
             "bots": [
              {"id": "shop-10", "state": "RUNNING", "pid": 11, "health": 90, "restarts": 1, "rssBytes": 52428800,
               "heapUsedBytes": 10485760, "heapMaxBytes": 67108864, "cpuSeconds": 3.0,
               "lastHeartbeatTime": "2026-11-30T21:00:09.500Z", "pool": {"grant": 2, "open": 1}},
              {"id": "shop-2", "state": "RUNNING", "pid": 12, "health": 100, "restarts": 0, "rssBytes": 104857600,
               "heapUsedBytes": 20971520, "heapMaxBytes": 67108864, "cpuSeconds": 9.0,
               "lastHeartbeatTime": "2026-11-30T21:00:04Z", "pool": {"grant": 1, "open": 1}},
              {"id": "cmd-1", "state": "FAILED", "pid": null, "health": null, "restarts": 7, "rssBytes": null,
               "heapUsedBytes": null, "heapMaxBytes": null, "cpuSeconds": 0.5, "lastHeartbeatTime": null,
               "pool": null}
             ]}
            """;

    private static TopRenderer.Frame frame(String json, Map<String, Double> cpu) throws Exception {
        return new TopRenderer.Frame(TopSnapshot.parse(JSON.readTree(json)), cpu, NOW, "from a test");
    }

    private static List<String> render(TopRenderer.Frame f, TopRenderer.Sort sort, int width, int height) {
        return TopRenderer.render(f, sort, width, height, false, ZoneOffset.UTC);
    }

    /** The bot ids of the rows, in order (rows start after the fleet line, the source line and the header). */
    private static List<String> order(List<String> lines) {
        return lines.subList(3, lines.size()).stream().map(l -> l.split(" ")[0]).toList();
    }

    @Test
    void fleetLineCountsStatesAndShowsTheDatabaseAndItsConnections() throws Exception {
        assertThat(render(frame(FLEET, Map.of()), TopRenderer.Sort.NAME, 0, 0).get(0)).isEqualTo(
                "botvisor pid 4242 | 2 running, 0 backoff, 1 failed | db embedded UP, connections 3 of 60 reserved"
                        + " | 21:00:10");
    }

    @Test
    void rowShowsEveryColumnOfABot() throws Exception {
        List<String> lines = render(frame(FLEET, Map.of("shop-2", 12.34)), TopRenderer.Sort.NAME, 0, 0);
        assertThat(lines.get(2)).isEqualTo(
                "BOT     STATE    HEALTH   CPU%    RSS        HEAP RESTARTS  POOL  HB AGE");
        assertThat(lines.get(4)).isEqualTo(
                "shop-2  RUNNING     100   12.3   100M     20M/64M        0   1/1    6.0s");
    }

    @Test
    void unknownValuesAreDashes() throws Exception {
        String failed = render(frame(FLEET, Map.of()), TopRenderer.Sort.NAME, 0, 0).get(3);
        assertThat(failed).startsWith("cmd-1 ").contains("FAILED");
        assertThat(failed.substring("cmd-1   FAILED".length()).strip().split("\\s+"))
                .containsExactly("-", "-", "-", "-", "7", "-", "-");
    }

    @Test
    void minusOneOfTheFirstStatusVersionIsUnknownToo() throws Exception {
        // Before docs/status-json.md, unknown was -1 and "no process" a pid of 0; there was no cpu, heap or heartbeat.
        String legacy = """
                {"supervisorPid": 7, "database": null, "bots": [{"id": "b", "state": "STARTING", "pid": 0,
                 "health": -1, "restarts": 0, "rssBytes": -1, "pool": null}]}
                """;
        List<String> lines = render(frame(legacy, Map.of()), TopRenderer.Sort.NAME, 0, 0);
        assertThat(lines.get(0)).startsWith("botvisor pid 7 | 0 running, 0 backoff, 0 failed, 1 starting | no database");
        assertThat(lines.get(3).split("\\s+")).containsExactly("b", "STARTING", "-", "-", "-", "-", "0", "-", "-");
    }

    @Test
    void sortsByCpuLargestFirstWithUnknownLast() throws Exception {
        TopRenderer.Frame f = frame(FLEET, Map.of("shop-10", 50.0, "shop-2", 2.0));
        assertThat(order(render(f, TopRenderer.Sort.CPU, 0, 0))).containsExactly("shop-10", "shop-2", "cmd-1");
    }

    @Test
    void sortsByMemoryRestartsHealthAndHeartbeat() throws Exception {
        TopRenderer.Frame f = frame(FLEET, Map.of());
        assertThat(order(render(f, TopRenderer.Sort.MEMORY, 0, 0))).containsExactly("shop-2", "shop-10", "cmd-1");
        assertThat(order(render(f, TopRenderer.Sort.RESTARTS, 0, 0))).containsExactly("cmd-1", "shop-10", "shop-2");
        assertThat(order(render(f, TopRenderer.Sort.HEALTH, 0, 0))).containsExactly("shop-10", "shop-2", "cmd-1");
        assertThat(order(render(f, TopRenderer.Sort.HEARTBEAT, 0, 0))).containsExactly("shop-2", "shop-10", "cmd-1");
    }

    @Test
    void sortsByStateProblemsFirstThenByNameAsNumbered() throws Exception {
        TopRenderer.Frame f = frame(FLEET, Map.of());
        assertThat(order(render(f, TopRenderer.Sort.STATE, 0, 0))).containsExactly("cmd-1", "shop-2", "shop-10");
        assertThat(order(render(f, TopRenderer.Sort.NAME, 0, 0))).containsExactly("cmd-1", "shop-2", "shop-10");
    }

    @Test
    void everyLineIsCutToTheWidth() throws Exception {
        List<String> lines = render(frame(FLEET, Map.of()), TopRenderer.Sort.NAME, 30, 0);
        assertThat(lines).hasSize(6).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(30));
        assertThat(lines.get(0)).isEqualTo("botvisor pid 4242 | 2 running,");
        assertThat(lines.get(5)).isEqualTo("shop-10 RUNNING      90      -");
    }

    @Test
    void rowsBeyondTheHeightAreCountedOnTheLastLine() throws Exception {
        List<String> lines = render(frame(FLEET, Map.of()), TopRenderer.Sort.NAME, 0, 5);
        assertThat(lines).hasSize(5);
        assertThat(order(lines.subList(0, 4))).containsExactly("cmd-1");
        assertThat(lines.get(4)).isEqualTo("... 2 more of 3 bots (a taller window shows them)");
    }

    @Test
    void longIdIsCutAndMarked() throws Exception {
        String id = "a".repeat(40);
        String json = "{\"bots\": [{\"id\": \"" + id + "\", \"state\": \"RUNNING\"}]}";
        assertThat(render(frame(json, Map.of()), TopRenderer.Sort.NAME, 0, 0).get(3))
                .startsWith("a".repeat(TopRenderer.MAX_ID - 1) + "~ RUNNING");
    }

    @Test
    void keysAreListedOnlyInTheLiveView() throws Exception {
        TopRenderer.Frame f = frame(FLEET, Map.of());
        assertThat(TopRenderer.render(f, TopRenderer.Sort.CPU, 0, 0, true, ZoneOffset.UTC).get(1))
                .isEqualTo("sorted by cpu | from a test | " + TopRenderer.KEYS);
        assertThat(render(f, TopRenderer.Sort.CPU, 0, 0).get(1)).isEqualTo("sorted by cpu | from a test");
    }

    @Test
    void figuresHaveOneDecimalRoundedHalfUp() {
        assertThat(TopRenderer.tenths(12.34)).isEqualTo("12.3");
        assertThat(TopRenderer.tenths(0.05)).isEqualTo("0.1");
        assertThat(TopRenderer.tenths(0.0)).isEqualTo("0.0");
        assertThat(TopRenderer.tenths(199.96)).isEqualTo("200.0");
        assertThat(TopRenderer.bytes(3L << 30)).isEqualTo("3.0G");
    }
}

package io.botvisor.supervisor.metrics;

import static io.botvisor.supervisor.metrics.PromParser.series;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.botvisor.supervisor.control.StatusSnapshot;
import io.botvisor.supervisor.core.BotStatus;
import io.botvisor.supervisor.core.ChildState;
import io.botvisor.supervisor.core.ExitCause;
import io.botvisor.supervisor.db.ConnectionBroker;
import io.botvisor.supervisor.db.DatabaseStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromTextTest {
    private static final long NOW = 1_700_000_000_000L;

    private static BotStatus runner(String id) {
        Map<ExitCause, Long> exits = new EnumMap<>(ExitCause.class);
        for (ExitCause c : ExitCause.values()) {
            exits.put(c, c == ExitCause.CRASH ? 2L : 0L);
        }
        return new BotStatus(id, ChildState.RUNNING, false, 4242L, 87, List.of("heap 85 % (-2)"), 2, 1, 5000,
                80L << 20, null, null, Map.of("db.poolMax", 3L, "db.poolOpen", 2L, "ticks", 9L), NOW - 5000,
                NOW - 300, 20L << 20, 64L << 20, new BotStatus.Totals(exits, 12.5, 0.25,
                        Map.of("ticks", 109L, "db.waitMillis", 1500L, "db.contended", 4L)));
    }

    private static BotStatus command(String id) {
        Map<ExitCause, Long> exits = new EnumMap<>(ExitCause.class);
        for (ExitCause c : ExitCause.values()) {
            exits.put(c, 0L);
        }
        return new BotStatus(id, ChildState.STOPPED, true, null, null, List.of(), 0, 0, 100, null, null, null,
                Map.of(), null, null, null, null, new BotStatus.Totals(exits, 0, null, Map.of()));
    }

    private static StatusSnapshot snapshot(String version) {
        return new StatusSnapshot(NOW, 7, NOW - 60_000, 3.5, version, "17.0.9+9", null, null,
                List.of(runner("shop-1"), command("plain")),
                new DatabaseStatus("embedded", "jdbc:postgresql://localhost:5432/botvisor", "UP", 99, 0, null),
                new ConnectionBroker.View(60, 4, Map.of("shop-1", new ConnectionBroker.Grant(3, 3, 0))));
    }

    private static String render(StatusSnapshot s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PromText().write(s, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyFamilyHasHelpAndTypeCountersEndInTotalAndNoSampleHasATimestamp() throws IOException {
        Map<String, PromParser.Family> families = PromParser.parse(render(snapshot("0.1.0")));
        assertThat(families.values()).allSatisfy(f -> assertThat(f.help()).isNotBlank());
        assertThat(families.values()).filteredOn(f -> f.type().equals("counter"))
                .extracting(PromParser.Family::name).allMatch(n -> n.endsWith("_total"))
                .contains("botvisor_bot_restarts_total", "botvisor_bot_exits_total", "botvisor_bot_cpu_seconds_total",
                        "botvisor_bot_gc_seconds_total", "botvisor_bot_events_total",
                        "botvisor_bot_db_wait_seconds_total", "botvisor_supervisor_cpu_seconds_total");
    }

    @Test
    void botFiguresAreWrittenUnderTheirNames() throws IOException {
        Map<String, PromParser.Family> f = PromParser.parse(render(snapshot("0.1.0")));
        assertThat(f.get("botvisor_bot_up").samples()).containsEntry(series("botvisor_bot_up", "bot", "shop-1"), 1.0)
                .containsEntry(series("botvisor_bot_up", "bot", "plain"), 0.0);
        assertThat(f.get("botvisor_bot_exits_total").samples())
                .containsEntry(series("botvisor_bot_exits_total", "bot", "shop-1", "reason", "crash"), 2.0)
                .containsEntry(series("botvisor_bot_exits_total", "bot", "shop-1", "reason", "stopped-by-signal"), 0.0)
                .hasSize(2 * ExitCause.values().length);
        assertThat(f.get("botvisor_bot_start_time_seconds").samples())
                .containsExactly(Map.entry(series("botvisor_bot_start_time_seconds", "bot", "shop-1"), 1_699_999_995.0));
        assertThat(f.get("botvisor_bot_events_total").samples()).as("the pool's db.* figures are not events")
                .containsExactly(Map.entry(series("botvisor_bot_events_total", "bot", "shop-1", "name", "ticks"), 109.0));
        assertThat(f.get("botvisor_bot_db_wait_seconds_total").samples())
                .containsExactly(Map.entry(series("botvisor_bot_db_wait_seconds_total", "bot", "shop-1"), 1.5));
        assertThat(f.get("botvisor_bot_db_pool_open_connections").samples())
                .containsExactly(Map.entry(series("botvisor_bot_db_pool_open_connections", "bot", "shop-1"), 2.0));
        assertThat(f.get("botvisor_db_connections_budget").samples()).containsEntry("botvisor_db_connections_budget", 60.0);
    }

    @Test
    void stateIsAStateSetWithEveryStatePresent() throws IOException {
        Map<String, Double> states = PromParser.parse(render(snapshot("0.1.0"))).get("botvisor_bot_state").samples();
        for (ChildState s : ChildState.values()) {
            assertThat(states).containsEntry(series("botvisor_bot_state", "bot", "plain", "state", s.name()),
                    s == ChildState.STOPPED ? 1.0 : 0.0);
        }
    }

    @Test
    void whatDoesNotApplyIsLeftOutNotWrittenAsMinusOne() throws IOException {
        Map<String, PromParser.Family> f = PromParser.parse(render(snapshot("0.1.0")));
        assertThat(f.get("botvisor_bot_health_score").samples()).as("shop-1 has one, so the family is there")
                .containsOnlyKeys(series("botvisor_bot_health_score", "bot", "shop-1"));
        assertThat(f.get("botvisor_bot_resident_memory_bytes").samples())
                .containsOnlyKeys(series("botvisor_bot_resident_memory_bytes", "bot", "shop-1"));
        assertThat(f.get("botvisor_bot_gc_seconds_total").samples())
                .containsOnlyKeys(series("botvisor_bot_gc_seconds_total", "bot", "shop-1"));
        assertThat(f.values()).allSatisfy(fam -> assertThat(fam.samples().values()).doesNotContain(-1.0));
    }

    @Test
    void labelValuesAreEscaped() throws IOException {
        String text = render(snapshot("1.0 \"quoted\" back\\slash\nnewline"));
        assertThat(text).contains("version=\"1.0 \\\"quoted\\\" back\\\\slash\\nnewline\"");
        assertThat(PromParser.parse(text).get("botvisor_build_info").samples()).containsOnlyKeys(series(
                "botvisor_build_info", "java", "17.0.9+9", "version", "1.0 \"quoted\" back\\slash\nnewline"));
    }

    @Test
    void parserRefusesWhatTheCollectorWouldDrop() {
        String ok = "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n";
        assertThat(PromParser.parse(ok)).containsOnlyKeys("a_total");
        assertThatThrownBy(() -> PromParser.parse("# HELP a_total A.\n# TYPE a_total counter\na_total 1 1700000000\n"))
                .hasMessageContaining("timestamp");
        assertThatThrownBy(() -> PromParser.parse("# HELP a A.\n# TYPE a counter\na 1\n"))
                .hasMessageContaining("_total");
        assertThatThrownBy(() -> PromParser.parse("# TYPE a gauge\na 1\n")).hasMessageContaining("HELP");
        assertThatThrownBy(() -> PromParser.parse("# HELP a A.\n# TYPE a gauge\na{l=\"x\\t\"} 1\n"))
                .hasMessageContaining("escape");
    }
}

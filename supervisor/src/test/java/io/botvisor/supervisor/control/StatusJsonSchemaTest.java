package io.botvisor.supervisor.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.botvisor.supervisor.core.BotStatus;
import io.botvisor.supervisor.core.ChildState;
import io.botvisor.supervisor.core.ExitCause;
import io.botvisor.supervisor.core.LagRecorder;
import io.botvisor.supervisor.core.LastExit;
import io.botvisor.supervisor.db.ConnectionBroker;
import io.botvisor.supervisor.db.DatabaseStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** status --json against docs/status.schema.json, with every optional part present and with none. */
class StatusJsonSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonNode schema = SchemaCheck.statusSchema();

    private static StatusSnapshot full() {
        Map<ExitCause, Long> exits = new EnumMap<>(ExitCause.class);
        for (ExitCause c : ExitCause.values()) {
            exits.put(c, 1L);
        }
        BotStatus bot = new BotStatus("shop-1", ChildState.RUNNING, false, 4242L, 90, List.of("heap 85 % (-2)"), 3, 1,
                5000, 80L << 20, null, new LastExit(137, "SIGKILL", "no heartbeat for 3.1 s (hung or stopped)",
                        Instant.ofEpochMilli(1_700_000_000_000L), ExitCause.HANG),
                Map.of("db.poolOpen", 2L, "ticks", 5L), 1_700_000_000_000L, 1_700_000_001_000L, 1L << 20, 64L << 20,
                new BotStatus.Totals(exits, 1.25, 0.5, Map.of("ticks", 50L, "db.waitMillis", 20L)));
        return new StatusSnapshot(1_700_000_002_000L, 7, 1_699_999_000_000L, 2.5, "0.1.0", "17.0.9",
                new LagRecorder.Snapshot(10, 16, 64, 90), new StatusSnapshot.Isolation(true, "each bot its user", false),
                List.of(bot), new DatabaseStatus("embedded", "jdbc:postgresql://localhost/botvisor", "UP", 99, 1, null),
                new ConnectionBroker.View(60, 3, Map.of("shop-1", new ConnectionBroker.Grant(3, 3, 0))));
    }

    @Test
    void statusWithEveryPartFitsTheSchema() throws IOException {
        assertThat(SchemaCheck.problems(schema, JSON.readTree(StatusRenderer.json(full())))).isEmpty();
    }

    @Test
    void statusWithNothingKnownYetFitsTheSchema() throws IOException {
        StatusSnapshot bare = StatusRendererTest.snapshot(null, List.of(
                StatusRendererTest.idle("plain", ChildState.RUNNING, true, List.of(), null),
                StatusRendererTest.idle("a", ChildState.STOPPED, false, List.of(), null)), null);
        assertThat(SchemaCheck.problems(schema, JSON.readTree(StatusRenderer.json(bare)))).isEmpty();
    }

    @Test
    void checkFindsAMissingFieldAWrongTypeAndAnUnknownField() throws IOException {
        ObjectNode doc = (ObjectNode) JSON.readTree(StatusRenderer.json(full()));
        ObjectNode bot = (ObjectNode) doc.get("bots").get(0);
        bot.remove("health");
        bot.put("pid", "4242");
        bot.put("uptime", 5);
        assertThat(SchemaCheck.problems(schema, doc)).containsExactlyInAnyOrder(
                "/bots/0: required field 'health' is missing",
                "/bots/0/pid: \"4242\" is not of type [integer, null]",
                "/bots/0/uptime: the schema has no field 'uptime'");
    }
}

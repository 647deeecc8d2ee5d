package io.botvisor.supervisor.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.botvisor.supervisor.core.BotStatus;
import io.botvisor.supervisor.core.ChildState;
import io.botvisor.supervisor.core.ExitCause;
import io.botvisor.supervisor.db.DatabaseStatus;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusRendererTest {
    /** The fleet file refuses such a URL; status output must not show one that got through some other way. */
    private static final DatabaseStatus WITH_PASSWORD = new DatabaseStatus("external",
            "jdbc:postgresql://admin:s3cr3t@h/db?password=s3cr3t", "EXTERNAL", 0, 0, null);

    static StatusSnapshot snapshot(StatusSnapshot.Isolation isolation, List<BotStatus> bots, DatabaseStatus db) {
        return new StatusSnapshot(1_700_000_000_000L, 1, 1_699_999_000_000L, 1.5, "0.1.0", "17.0.9", null, isolation,
                bots, db, null);
    }

    /** A bot with nothing known yet: no process, no heartbeat, no sample. */
    static BotStatus idle(String id, ChildState state, boolean command, List<String> reasons, Integer health) {
        Map<ExitCause, Long> exits = new EnumMap<>(ExitCause.class);
        for (ExitCause c : ExitCause.values()) {
            exits.put(c, 0L);
        }
        return new BotStatus(id, state, command, state == ChildState.RUNNING ? 42L : null, health, reasons, 0, 0,
                1000, null, null, null, Map.of(), null, null, null, null,
                new BotStatus.Totals(exits, 0, command ? null : 0.0, Map.of()));
    }

    @Test
    void tableShowsTheDatabaseEndpointRedacted() {
        assertThat(StatusRenderer.table(snapshot(null, List.of(), WITH_PASSWORD)))
                .contains("DATABASE external jdbc:postgresql://***@h/db?password=*** EXTERNAL")
                .doesNotContain("s3cr3t");
    }

    @Test
    void jsonShowsTheDatabaseEndpointRedacted() {
        assertThat(StatusRenderer.json(snapshot(null, List.of(), WITH_PASSWORD)))
                .contains("\"endpoint\":\"jdbc:postgresql://***@h/db?password=***\"")
                .doesNotContain("s3cr3t");
    }

    @Test
    void fleetWithoutWallsIsAWarningInTheTableAndInJson() {
        StatusSnapshot.Isolation none = new StatusSnapshot.Isolation(false,
                "bots are not isolated from each other: run as root or grant CAP_SETUID and CAP_SETGID", true);
        assertThat(StatusRenderer.table(snapshot(none, List.of(), null))).startsWith(
                "WARNING bots are not isolated from each other: run as root or grant CAP_SETUID and CAP_SETGID\n");
        assertThat(StatusRenderer.json(snapshot(none, List.of(), null)))
                .contains("\"isolation\":{\"users\":false,\"detail\":\"bots are not isolated from each other: run as "
                        + "root or grant CAP_SETUID and CAP_SETGID\",\"warning\":true}");
    }

    @Test
    void fleetWithWallsSaysSoWithoutAWarning() {
        StatusSnapshot.Isolation users = new StatusSnapshot.Isolation(true, "each bot runs as its own user", false);
        assertThat(StatusRenderer.table(snapshot(users, List.of(), null)))
                .startsWith("ISOLATION each bot runs as its own user").doesNotContain("WARNING");
    }

    @Test
    void valuesThatDoNotApplyAreNullInJsonNotMinusOne() throws IOException {
        JsonNode bot = new ObjectMapper().readTree(StatusRenderer.json(snapshot(null,
                List.of(idle("plain", ChildState.RUNNING, true, List.of(), null)), null))).get("bots").get(0);
        assertThat(bot.get("kind").asText()).isEqualTo("command");
        for (String field : List.of("health", "rssBytes", "heapUsedBytes", "heapMaxBytes", "lastHeartbeatTime",
                "gcSeconds", "startTime", "lastExit", "pool")) {
            assertThat(bot.get(field)).as(field).isNotNull();
            assertThat(bot.get(field).isNull()).as(field + " is null: " + bot).isTrue();
        }
        assertThat(bot.get("pid").asLong()).isEqualTo(42);
    }

    @Test
    void stoppedBotHasNoPid() throws IOException {
        JsonNode bot = new ObjectMapper().readTree(StatusRenderer.json(snapshot(null,
                List.of(idle("a", ChildState.STOPPED, false, List.of(), null)), null))).get("bots").get(0);
        assertThat(bot.get("pid").isNull()).as(bot.toString()).isTrue();
        assertThat(bot.get("exits").get("crash").asLong()).isZero();
        assertThat(bot.get("exits").size()).isEqualTo(ExitCause.values().length);
    }

    @Test
    void tableShowsHealthReasonsUnderTheBot() {
        String table = StatusRenderer.table(snapshot(null, List.of(idle("shop-1", ChildState.RUNNING, false,
                List.of("self-check failing (-60)", "errors 3/min (-3)"), 37)), null));
        assertThat(table).contains("\nshop-1 ").contains(
                "\n  health 37: self-check failing (-60); errors 3/min (-3)\n");
    }

    @Test
    void tableHasNoReasonsLineForAHealthyBot() {
        String table = StatusRenderer.table(snapshot(null, List.of(idle("shop-1", ChildState.RUNNING, false,
                List.of(), 100)), null));
        assertThat(table).contains("shop-1").doesNotContain("health 100");
    }

    @Test
    void aHandoverInProgressShowsBothProcessesInTheTableAndInJson() throws IOException {
        BotStatus b = idle("echo", ChildState.RUNNING, false, List.of(), null);
        BotStatus handingOver = new BotStatus(b.id(), b.state(), b.command(), b.pid(), b.health(), b.healthReasons(),
                b.restarts(), b.restartsInWindow(), b.stateForMillis(), b.rssBytes(), b.failedReason(), b.lastExit(),
                b.counters(), b.startTimeMillis(), b.lastHeartbeatMillis(), b.heapUsedBytes(), b.heapMaxBytes(),
                b.totals(), new BotStatus.Handover("warming", 43L, "ctl restart"));
        assertThat(StatusRenderer.table(snapshot(null, List.of(handingOver), null)))
                .contains("  handover warming: successor pid 43 takes over from pid 42 (ctl restart)");
        JsonNode json = new ObjectMapper().readTree(StatusRenderer.json(snapshot(null, List.of(handingOver), null)));
        JsonNode h = json.get("bots").get(0).get("handover");
        assertThat(h.get("phase").asText()).isEqualTo("warming");
        assertThat(h.get("successorPid").asLong()).isEqualTo(43);
        assertThat(json.get("bots").get(0).get("pid").asLong()).isEqualTo(42);
    }
}

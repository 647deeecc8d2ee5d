package io.botvisor.supervisor.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.supervisor.config.FleetFileReader;
import io.botvisor.supervisor.config.Specs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadPlanTest {
    @TempDir
    Path dir;

    private Specs.Fleet fleet(String yaml) throws Exception {
        Path f = dir.resolve("fleet.yaml");
        Files.writeString(f, yaml);
        return FleetFileReader.read(f, Map.of());
    }

    @Test
    void aChangeOfDefaultsChangesExactlyTheBotsThatInheritIt() throws Exception {
        ReloadPlan plan = ReloadPlan.between(fleet("""
                defaults: { stopTimeout: 5s }
                bots:
                  - { id: inherits, type: chaos }
                  - { id: own, type: chaos, stopTimeout: 9s }
                """), fleet("""
                defaults: { stopTimeout: 7s }
                bots:
                  - { id: inherits, type: chaos }
                  - { id: own, type: chaos, stopTimeout: 9s }
                """));
        assertThat(plan.changed()).extracting(ReloadPlan.Change::id).containsExactly("inherits");
        assertThat(plan.changed().get(0).fields()).containsExactly("stopTimeout");
        assertThat(plan.unchanged()).containsExactly("own");
        assertThat(plan.refused()).isEmpty();
    }

    @Test
    void botsAreAddedRemovedAndChangedByIdWithTheNestedFieldsNamed() throws Exception {
        ReloadPlan plan = ReloadPlan.between(fleet("""
                bots:
                  - { id: a, type: chaos }
                  - { id: b, type: chaos }
                """), fleet("""
                bots:
                  - { id: b, type: chaos, health: { heartbeatTimeout: 9s } }
                  - { id: c, type: chaos }
                """));
        assertThat(plan.added()).extracting(Specs.Bot::id).containsExactly("c");
        assertThat(plan.removed()).containsExactly("a");
        assertThat(plan.changed().get(0).fields()).containsExactly("health.heartbeatTimeout");
        assertThat(plan.describe()).contains("add     c (started)", "change  b (health.heartbeatTimeout; restarted)",
                "remove  a (stopped");
    }

    @Test
    void aChangeOfConfigAloneMayBeTakenLiveAndNamesNoValue() throws Exception {
        ReloadPlan plan = ReloadPlan.between(fleet("""
                bots:
                  - { id: a, type: chaos, config: { crashAfter: 10s }, env: { API_KEY: old-secret } }
                """), fleet("""
                bots:
                  - { id: a, type: chaos, config: { crashAfter: 20s }, env: { API_KEY: old-secret } }
                """));
        assertThat(plan.changed().get(0).configOnly()).isTrue();
        ReloadPlan secret = ReloadPlan.between(fleet("""
                bots:
                  - { id: a, type: chaos, env: { API_KEY: old-secret } }
                """), fleet("""
                bots:
                  - { id: a, type: chaos, env: { API_KEY: new-secret } }
                """));
        assertThat(secret.changed().get(0).fields()).containsExactly("env");
        assertThat(secret.describe()).contains("change  a (env; restarted)").doesNotContain("secret");
    }

    @Test
    void fleetLevelChangesAreRefusedNamingTheFieldAsTheFleetFileSpellsIt() throws Exception {
        ReloadPlan plan = ReloadPlan.between(fleet("""
                supervisor: { startConcurrency: 4 }
                database: { enabled: false }
                bots:
                  - { id: a, type: chaos }
                """), fleet("""
                supervisor: { startConcurrency: 8 }
                database: { enabled: true }
                bots:
                  - { id: a, type: chaos }
                """));
        assertThat(plan.refused()).hasSize(2);
        assertThat(String.join("\n", plan.refused())).contains("supervisor.startConcurrency changed",
                "database.enabled changed", "restart the supervisor");
        assertThat(ReloadPlan.between(fleet("bots:\n  - { id: a, type: chaos }\n"),
                fleet("bots:\n  - { id: a, type: chaos }\n")).empty()).isTrue();
    }
}

package io.botvisor.supervisor.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.supervisor.core.ChildState;
import io.botvisor.supervisor.db.DatabaseStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SystemdNotifierTest {
    private static final DatabaseStatus UP = new DatabaseStatus("embedded", "jdbc:postgresql://127.0.0.1:5/x", "UP",
            7, 0, null);
    private static final DatabaseStatus DOWN = new DatabaseStatus("embedded", "jdbc:postgresql://127.0.0.1:5/x",
            "DOWN", 0, 1, "exited");

    @Test
    void statusLineCountsRunningBackoffAndFailedAndNamesTheDatabase() {
        assertThat(SystemdNotifier.statusLine(Map.of(ChildState.RUNNING, 12, ChildState.BACKOFF, 1), UP))
                .isEqualTo("12 running, 1 backoff, 0 failed; db up");
    }

    @Test
    void statusLineAddsTheOtherStatesOnlyWhenSomeBotIsInThem() {
        assertThat(SystemdNotifier.statusLine(Map.of(ChildState.RUNNING, 2, ChildState.STARTING, 3,
                ChildState.STOPPED, 1), DOWN)).isEqualTo("2 running, 0 backoff, 0 failed, 3 starting, 1 stopped; db down");
    }

    @Test
    void statusLineSaysSoWhenTheFleetHasNoDatabase() {
        assertThat(SystemdNotifier.statusLine(Map.of(), null)).isEqualTo("0 running, 0 backoff, 0 failed; no db");
    }

    @Test
    void readyWaitsForADatabaseThatIsDown() {
        assertThat(SystemdNotifier.databaseUp(DOWN)).isFalse();
        assertThat(SystemdNotifier.databaseUp(UP)).isTrue();
        assertThat(SystemdNotifier.databaseUp(null)).isTrue();
        assertThat(SystemdNotifier.databaseUp(new DatabaseStatus("external", "jdbc:postgresql://db/x", "EXTERNAL", 0, 0,
                null))).isTrue();
    }
}

package io.botvisor.supervisor.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ctl says when no supervisor holds the state dir it was given. */
class ControlClientTest {
    @TempDir
    Path dir;

    @Test
    void noSupervisorOnTheStateDirPointsAtTheOptionThatNamesAnother() {
        ControlClient.Result r = ControlClient.send(dir, "status", List.of(), Duration.ofSeconds(1));
        assertThat(r.exitCode()).isEqualTo(ControlClient.NO_SUPERVISOR);
        assertThat(r.output()).isEqualTo("no supervisor is running with state dir " + dir + " (a supervisor started "
                + "with another one is reached with 'botvisor ctl --state-dir DIR …', DIR as given to its "
                + "'botvisor run --state-dir DIR')");
    }
}

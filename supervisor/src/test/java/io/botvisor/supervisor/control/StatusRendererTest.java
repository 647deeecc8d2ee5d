package io.botvisor.supervisor.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.supervisor.db.DatabaseStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusRendererTest {
    /** The fleet file refuses such a URL; status output must not show one that got through some other way. */
    private static final DatabaseStatus WITH_PASSWORD = new DatabaseStatus("external",
            "jdbc:postgresql://admin:s3cr3t@h/db?password=s3cr3t", "EXTERNAL", 0, 0, null);

    @Test
    void tableShowsTheDatabaseEndpointRedacted() {
        assertThat(StatusRenderer.table(List.of(), WITH_PASSWORD, null))
                .contains("DATABASE external jdbc:postgresql://***@h/db?password=*** EXTERNAL")
                .doesNotContain("s3cr3t");
    }

    @Test
    void jsonShowsTheDatabaseEndpointRedacted() {
        assertThat(StatusRenderer.json(1, List.of(), WITH_PASSWORD, null))
                .contains("\"endpoint\":\"jdbc:postgresql://***@h/db?password=***\"")
                .doesNotContain("s3cr3t");
    }

    @Test
    void fleetWithoutWallsIsAWarningInTheTableAndInJson() {
        StatusRenderer.Isolation none = new StatusRenderer.Isolation(false,
                "bots are not isolated from each other: run as root or grant CAP_SETUID and CAP_SETGID", true);
        assertThat(StatusRenderer.table(none, List.of(), null, null)).startsWith(
                "WARNING bots are not isolated from each other: run as root or grant CAP_SETUID and CAP_SETGID\n");
        assertThat(StatusRenderer.json(1, null, none, List.of(), null, null))
                .contains("\"isolation\":{\"users\":false,\"detail\":\"bots are not isolated from each other: run as "
                        + "root or grant CAP_SETUID and CAP_SETGID\",\"warning\":true}");
    }

    @Test
    void fleetWithWallsSaysSoWithoutAWarning() {
        StatusRenderer.Isolation users = new StatusRenderer.Isolation(true, "each bot runs as its own user", false);
        assertThat(StatusRenderer.table(users, List.of(), null, null)).startsWith("ISOLATION each bot runs as its own user")
                .doesNotContain("WARNING");
    }
}

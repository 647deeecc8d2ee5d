package io.botvisor.supervisor.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildEnvironmentTest {
    private static final Map<String, String> SUPERVISOR = Map.of(
            "PATH", "/usr/bin:/bin", "LANG", "C.UTF-8", "LC_TIME", "de_DE.UTF-8", "TZ", "UTC",
            "HOME", "/root", "BOTVISOR_DB_PASSWORD", "admin-secret", "NOTIFY_SOCKET", "/run/systemd/notify",
            "WATCHDOG_USEC", "10000000", "BOTVISOR_RUNNER_CLASSPATH", "/opt/botvisor/lib/*", "USER", "root");

    @Test
    void onlyPathLocaleAndTimeZonePassFromTheSupervisor() {
        assertThat(ChildEnvironment.inherited(SUPERVISOR)).containsOnlyKeys("PATH", "LANG", "LC_TIME", "TZ");
    }

    @Test
    void childGetsItsOwnHomeItsOwnValuesAndBotvisorsLast() {
        Map<String, String> env = ChildEnvironment.of(ChildEnvironment.inherited(SUPERVISOR),
                Path.of("/state/home/shop-1"), Map.of("TOKEN", "bot-secret", "PATH", "/opt/shop/bin"),
                Map.of("BOTVISOR_SPEC", "/state/run/shop-1/spec.properties"));
        assertThat(env).containsEntry("HOME", "/state/home/shop-1").containsEntry("TOKEN", "bot-secret")
                .containsEntry("PATH", "/opt/shop/bin").containsEntry("BOTVISOR_SPEC", "/state/run/shop-1/spec.properties")
                .doesNotContainKeys("BOTVISOR_DB_PASSWORD", "NOTIFY_SOCKET", "WATCHDOG_USEC", "USER",
                        "BOTVISOR_RUNNER_CLASSPATH");
    }
}

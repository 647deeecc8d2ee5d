package io.botvisor.supervisor.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/systemd/botvisor.service as systemd 252 reads it, with {@code /opt/botvisor} pointed at this checkout
 * (verify checks that every Exec* binary exists). Needs {@code systemd-analyze} (Debian: the systemd package, which
 * .ci/run installs where it is missing); systemd need not be running.
 */
class SystemdUnitTest {
    static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();
    /**
     * The exposure score the unit must not exceed. The issue asked for 2.0; what the walls between bots need keeps it
     * above: capabilities to switch users, chown, override permissions and signal other uids (0.8 together), root
     * (0.4), the network bots use (1.0: Internet sockets, no private network, no IP allow list), setgid directories
     * (0.2). docs/systemd.md lists each remaining point.
     */
    static final double MAX_EXPOSURE = 3.0;

    @TempDir
    Path dir;
    Path unit;

    @BeforeEach
    void copyUnit() throws IOException {
        String text = Files.readString(CHECKOUT.resolve("scripts/systemd/botvisor.service"));
        unit = dir.resolve("botvisor.service");
        Files.writeString(unit, text.replace("/opt/botvisor", CHECKOUT.toString()));
        assertThat(Files.readString(unit)).contains("ExecStart=" + CHECKOUT + "/scripts/botvisor run");
    }

    @Test
    void verifyPrintsNothing() throws Exception {
        Run r = analyze("verify", "--man=no", unit.toString());
        assertThat(r.output()).as("systemd-analyze verify of %s", unit).isEmpty();
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void verifyWouldSeeAMissingBinary() throws Exception {
        // The check above is only worth something if verify reads the unit's Exec lines here.
        Files.writeString(unit, Files.readString(unit).replace(CHECKOUT + "/scripts/botvisor run",
                "/nonexistent/botvisor run"));
        assertThat(analyze("verify", "--man=no", unit.toString()).output()).contains("/nonexistent/botvisor");
    }

    @Test
    void exposureStaysWithinTheLimit() throws Exception {
        Run r = analyze("security", "--offline=true", "--threshold=" + Math.round(MAX_EXPOSURE * 10), unit.toString());
        Matcher m = Pattern.compile("Overall exposure level for botvisor.service: (\\d+\\.\\d)").matcher(r.output());
        assertThat(m.find()).as(r.output()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as(r.output()).isLessThanOrEqualTo(MAX_EXPOSURE);
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void keepsTheKeysTheIssueAsksFor() throws Exception {
        String text = Files.readString(unit);
        assertThat(text).contains("\nType=notify\n", "\nNotifyAccess=main\n", "\nWatchdogSec=10s\n",
                "\nRestart=on-failure\n", "\nKillMode=mixed\n", "\nSuccessExitStatus=143\n",
                "\nStateDirectory=botvisor\n", "\nRuntimeDirectory=botvisor\n", "\nRuntimeDirectoryPreserve=yes\n",
                "\nProtectSystem=strict\n", "\nSystemCallFilter=@system-service\n",
                "\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n",
                "\nCapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_KILL CAP_CHOWN CAP_FOWNER CAP_DAC_OVERRIDE "
                        + "CAP_SYS_NICE\n")
                .doesNotContain("\nMemoryDenyWriteExecute=");
    }

    record Run(int exitCode, String output) {
    }

    private Run analyze(String... args) throws IOException, InterruptedException {
        Path tool = Path.of("/usr/bin/systemd-analyze");
        assertThat(tool).as("systemd-analyze is missing: apt-get install systemd (.ci/run does it)").isExecutable();
        List<String> cmd = new java.util.ArrayList<>(List.of(tool.toString()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("analyze.out");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("systemd-analyze finished").isTrue();
        return new Run(p.exitValue(), Files.readString(out));
    }
}

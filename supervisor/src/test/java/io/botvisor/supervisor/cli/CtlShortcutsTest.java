package io.botvisor.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The plain ctl status taken without picocli means what picocli's ctl makes of it, and nothing else is taken. */
class CtlShortcutsTest {
    @TempDir
    Path dir;

    /** What picocli's ctl would send for {@code args} (after "ctl"): state dir, timeout, command and arguments. */
    private static CtlShortcuts.PlainStatus picocli(String... args) {
        Ctl ctl = new Ctl();
        new CommandLine(ctl).parseArgs(args);
        List<String> sent = new ArrayList<>(ctl.args);
        if (ctl.json) {
            sent.add("--json");
        }
        assertThat(ctl.command).isEqualTo("status");
        return new CtlShortcuts.PlainStatus(ctl.stateDir, io.botvisor.ipc.Units.duration(ctl.timeout), sent);
    }

    private static String[] ctl(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "ctl";
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }

    @Test
    void plainStatusesAreReadAsPicocliReadsThem() {
        for (String[] args : List.of(new String[] {"status"}, new String[] {"status", "--json"},
                new String[] {"--state-dir", "/var/lib/botvisor", "status"},
                new String[] {"--state-dir=/s", "--timeout=5s", "status", "shop-1", "shop-2"},
                new String[] {"status", "--json", "shop-1", "--state-dir", "st", "--timeout", "2m"},
                new String[] {"--json", "status"})) {
            assertThat(CtlShortcuts.plainStatus(ctl(args))).as(String.join(" ", args)).isEqualTo(picocli(args));
        }
    }

    @Test
    void everythingElseIsLeftToPicocli() {
        for (String[] args : List.of(new String[] {"start", "shop-1"}, new String[] {"status", "--all"},
                new String[] {"status", "--help"}, new String[] {"-h"}, new String[] {"status", "-V"},
                new String[] {"--timeout", "soon", "status"}, new String[] {"status", "--json", "--json"},
                new String[] {"--state-dir", "a", "--state-dir", "b", "status"}, new String[] {"--state-dir"},
                new String[] {"status", "--state-dir="}, new String[] {"status", "--", "x"},
                new String[] {"status", "--jsonx"}, new String[] {"top"}, new String[] {})) {
            assertThat(CtlShortcuts.plainStatus(ctl(args))).as(String.join(" ", args)).isNull();
        }
        assertThat(CtlShortcuts.plainStatus(new String[] {"db", "status"})).isNull();
    }

    @Test
    void plainStatusWithoutASupervisorSaysSoOnStderrWithExitThree() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CtlShortcuts.plainStatus(ctl("--state-dir", dir.toString(), "status"))
                .run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(3);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("no supervisor is running with state dir " + dir);
    }

    @Test
    void trainingRunsAStatusRoundTripThroughRealQueues() {
        assertThat(CtlShortcuts.train(dir.resolve("training"))).isZero();
    }

    @Test
    void timeoutDefaultsAsInCtl() {
        assertThat(CtlShortcuts.plainStatus(ctl("status")).timeout()).isEqualTo(Duration.ofSeconds(60));
    }
}

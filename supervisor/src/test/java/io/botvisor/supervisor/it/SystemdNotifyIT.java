package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The test plays systemd: it binds the notification socket, starts a real supervisor with {@code NOTIFY_SOCKET} and
 * {@code WATCHDOG_USEC}, and reads what the supervisor tells it.
 */
class SystemdNotifyIT {
    /** WATCHDOG_USEC for the tests: a ping every 500 ms. */
    private static final String WATCHDOG_USEC = "1000000";
    private static final String COMMAND_BOT = """
              - { id: shell, command: ["/bin/sh", "-c", "env; exec sleep 3600"], env: { OWN_VALUE: mine } }
            """;

    @TempDir
    Path dir;

    @Test
    void saysReadyOnceTheBotsRunThenKeepsStatusAndPingsAndSaysStoppingAtSigterm() throws Exception {
        SupervisorProcess.openToBots(dir);
        Path socket = dir.resolve("notify.sock");
        try (FakeSystemd systemd = FakeSystemd.bind(AFUNIXSocketAddress.of(socket));
             SupervisorProcess s = SupervisorProcess.launchThroughShell(dir, SupervisorProcess.FAST_DEFAULTS + """
                     database: { hashPartitions: 4 }
                     bots:
                       - { id: one, type: chaos }
                     """ + COMMAND_BOT, SupervisorProcess.runnerClasspath(),
                     Map.of("NOTIFY_SOCKET", socket.toString(), "WATCHDOG_USEC", WATCHDOG_USEC),
                     "WATCHDOG_PID=$$; export WATCHDOG_PID; exec \"$@\"")) {
            Received ready = systemd.await(s, "READY=1", 0);
            // READY is sent only once both bots were RUNNING; nothing here could have stopped them since.
            assertThat(s.bot("one").get("state").asText()).isEqualTo("RUNNING");
            assertThat(s.bot("shell").get("state").asText()).isEqualTo("RUNNING");
            assertThat(ready.text()).isEqualTo("READY=1\nSTATUS=2 running, 0 backoff, 0 failed; db up");
            assertThat(systemd.received().get(0).text()).isEqualTo("STATUS=starting");
            assertThat(systemd.received().subList(0, systemd.received().indexOf(ready)))
                    .as("nothing but STATUS and pings before READY")
                    .allMatch(r -> r.text().startsWith("STATUS=") || r.text().equals("WATCHDOG=1"));

            int pingsBefore = systemd.count("WATCHDOG=1");
            systemd.await(s, "WATCHDOG=1", pingsBefore + 3);

            s.ctl("stop", "one");
            systemd.await(s, "STATUS=1 running, 0 backoff, 0 failed, 1 stopped; db up", 0);

            SupervisorProcess.signal(s.process.pid(), "TERM");
            Received stopping = systemd.await(s, "STOPPING=1", 0);
            assertThat(stopping.text()).isEqualTo("STOPPING=1\nSTATUS=stopping (SIGTERM)");
            assertThat(s.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(s.process.exitValue()).isZero();
        }
    }

    @Test
    void systemdsVariablesNeverReachABot() throws Exception {
        Path socket = dir.resolve("notify.sock");
        try (FakeSystemd systemd = FakeSystemd.bind(AFUNIXSocketAddress.of(socket));
             SupervisorProcess s = SupervisorProcess.launchThroughShell(dir, SupervisorProcess.FAST_DEFAULTS
                     + "database: { enabled: false }\nbots:\n" + COMMAND_BOT, SupervisorProcess.runnerClasspath(),
                     Map.of("NOTIFY_SOCKET", socket.toString(), "WATCHDOG_USEC", WATCHDOG_USEC),
                     "WATCHDOG_PID=$$; export WATCHDOG_PID; exec \"$@\"")) {
            systemd.await(s, "READY=1", 0);
            s.await("the bot to print its environment", () -> stdout(s).contains("OWN_VALUE=mine"));
            // The supervisor has all three, and what it passes on (PATH) or gives the bot (OWN_VALUE) is seen.
            String own = Files.readString(Path.of("/proc", Long.toString(s.process.pid()), "environ"));
            assertThat(own).contains("NOTIFY_SOCKET=" + socket).contains("WATCHDOG_USEC=" + WATCHDOG_USEC)
                    .contains("WATCHDOG_PID=" + s.process.pid());
            assertThat(stdout(s)).contains("PATH=").contains("OWN_VALUE=mine")
                    .doesNotContain("NOTIFY_SOCKET").doesNotContain("WATCHDOG_USEC").doesNotContain("WATCHDOG_PID");
        }
    }

    @Test
    void aStalledLoopStopsThePings() throws Exception {
        Path socket = dir.resolve("notify.sock");
        Path stall = dir.resolve("stall");
        try (FakeSystemd systemd = FakeSystemd.bind(AFUNIXSocketAddress.of(socket));
             SupervisorProcess s = SupervisorProcess.launch(dir, SupervisorProcess.FAST_DEFAULTS
                     + "database: { enabled: false }\nbots:\n" + COMMAND_BOT, SupervisorProcess.runnerClasspath(),
                     Map.of("NOTIFY_SOCKET", socket.toString(), "WATCHDOG_USEC", WATCHDOG_USEC,
                             "BOTVISOR_TEST_STALL_LOOP_FILE", stall.toString()))) {
            systemd.await(s, "READY=1", 0);
            systemd.await(s, "WATCHDOG=1", 3);

            Files.createFile(stall);
            s.await("the loop to stall", () -> s.log().contains("stalling the supervisor's loop"));
            s.await("the pinger to notice", () -> s.log().contains("watchdog: the supervisor's loop has not ticked"));
            int pings = systemd.count("WATCHDOG=1");
            // The pinger decided not to ping, and the loop never ticks again: four ping intervals bring none.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < until) {
                assertThat(systemd.count("WATCHDOG=1")).as("pings after the stall was noticed").isEqualTo(pings);
                TimeUnit.MILLISECONDS.sleep(100);
            }
            List<ProcessHandle> tree = new ArrayList<>();
            s.process.toHandle().descendants().forEach(tree::add);
            s.process.destroyForcibly(); // its SIGTERM hook would wait for a loop that never answers
            tree.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void speaksToAnAbstractNotifySocket() throws Exception {
        String name = "botvisor-it-" + UUID.randomUUID();
        try (FakeSystemd systemd = FakeSystemd.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
             SupervisorProcess s = SupervisorProcess.launch(dir, SupervisorProcess.FAST_DEFAULTS
                     + "database: { enabled: false }\nbots:\n" + COMMAND_BOT, SupervisorProcess.runnerClasspath(),
                     Map.of("NOTIFY_SOCKET", "@" + name))) {
            Received ready = systemd.await(s, "READY=1", 0);
            assertThat(ready.text()).isEqualTo("READY=1\nSTATUS=1 running, 0 backoff, 0 failed; no db");
        }
    }

    @Test
    void takesTheStateDirFromStateDirectoryWhenNoneIsGiven() throws Exception {
        // As systemd runs it: StateDirectory= sets STATE_DIRECTORY, and the unit's ExecStart has no --state-dir.
        String dropStateDir = "for a; do shift; if [ \"$skip\" = 1 ]; then skip=0; continue; fi; "
                + "if [ \"$a\" = --state-dir ]; then skip=1; continue; fi; set -- \"$@\" \"$a\"; done; exec \"$@\"";
        Path state = dir.resolve("state");
        try (SupervisorProcess s = SupervisorProcess.launchThroughShell(dir, SupervisorProcess.FAST_DEFAULTS
                + "database: { enabled: false }\nbots:\n" + COMMAND_BOT, SupervisorProcess.runnerClasspath(),
                Map.of("STATE_DIRECTORY", state.toString()), dropStateDir)) {
            s.await("the supervisor to take its lock", () -> Files.exists(state.resolve("supervisor.lock"))
                    && s.log().contains("supervising"));
            assertThat(Files.readString(Path.of("/proc", Long.toString(s.process.pid()), "cmdline")))
                    .contains("run").doesNotContain("--state-dir");
            assertThat(s.log()).contains("and state dir " + state);
            assertThat(s.ctl("status").exitCode()).isZero();
        }
    }

    private static String stdout(SupervisorProcess s) {
        try {
            return s.botStdout("shell");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    record Received(long nanos, String text) {
    }

    @Test
    void aReloadSaysReloadingWithTheMonotonicClockThenReadyAgain() throws Exception {
        Path socket = dir.resolve("notify.sock");
        String fleet = SupervisorProcess.FAST_DEFAULTS + "database: { enabled: false }\nbots:\n" + COMMAND_BOT;
        try (FakeSystemd systemd = FakeSystemd.bind(AFUNIXSocketAddress.of(socket));
             SupervisorProcess s = SupervisorProcess.launch(dir, fleet, SupervisorProcess.runnerClasspath(),
                     Map.of("NOTIFY_SOCKET", socket.toString()))) {
            systemd.await(s, "READY=1", 0);
            SupervisorProcess.writeFleet(dir, fleet + "  - { id: added, command: [\"/bin/sh\", \"-c\", \"exec sleep "
                    + "3600\"] }\n");
            long before = System.nanoTime() / 1000;
            var r = s.ctl("reload", "--wait");
            assertThat(r.exitCode()).as(r.output()).isZero();
            Received reloading = systemd.await(s, "RELOADING=1", 0);
            long monotonic = Long.parseLong(reloading.text().replaceAll("(?s).*MONOTONIC_USEC=(\\d+).*", "$1"));
            assertThat(monotonic).as("CLOCK_MONOTONIC, as this JVM's nanoTime").isGreaterThanOrEqualTo(before);
            Received ready = systemd.await(s, "READY=1", 1);
            assertThat(ready.nanos()).isGreaterThan(reloading.nanos());
        }
    }

    /** systemd's end of the notification socket: every datagram, in order, read on a thread of its own. */
    static final class FakeSystemd implements AutoCloseable {
        private final AFUNIXDatagramChannel channel;
        private final List<Received> received = new CopyOnWriteArrayList<>();
        private final Thread reader;

        private FakeSystemd(AFUNIXDatagramChannel channel) {
            this.channel = channel;
            this.reader = new Thread(this::read, "fake-systemd");
            reader.setDaemon(true);
            reader.start();
        }

        static FakeSystemd bind(AFUNIXSocketAddress address) throws IOException {
            AFUNIXDatagramChannel ch = AFUNIXDatagramChannel.open();
            ch.bind(address);
            return new FakeSystemd(ch);
        }

        private void read() {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (true) {
                buf.clear();
                try {
                    channel.receive(buf);
                } catch (ClosedChannelException e) {
                    return; // closed by the test: done
                } catch (IOException e) {
                    received.add(new Received(System.nanoTime(), "RECEIVE FAILED: " + e));
                    return;
                }
                buf.flip();
                received.add(new Received(System.nanoTime(), StandardCharsets.UTF_8.decode(buf).toString()));
            }
        }

        List<Received> received() {
            return List.copyOf(received);
        }

        int count(String text) {
            return (int) received.stream().filter(r -> r.text().equals(text)).count();
        }

        /** The first message that starts with {@code prefix} and comes after {@code skip} earlier such ones. */
        Received await(SupervisorProcess s, String prefix, int skip) {
            Received[] got = new Received[1];
            s.await("systemd to receive '" + prefix + "' (#" + (skip + 1) + ")", () -> {
                got[0] = received.stream().filter(r -> r.text().startsWith(prefix)).skip(skip).findFirst().orElse(null);
                return got[0] != null;
            }, () -> "received: " + received);
            return got[0];
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}

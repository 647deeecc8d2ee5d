package io.botvisor.supervisor.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;

class SdNotifyTest {
    private static final long OWN_PID = 4242;

    @TempDir
    Path dir;

    @Test
    void sendsNothingWithoutNotifySocket() {
        SdNotify n = SdNotify.fromEnvironment(Map.of("WATCHDOG_USEC", "10000000"), OWN_PID);
        assertThat(n.enabled()).isFalse();
        assertThat(n.watchdogInterval()).isNull();
        assertThat(n.send("READY=1")).isFalse();
    }

    @Test
    void refusesANotifySocketThatIsNeitherAPathNorAnAbstractName() {
        assertThat(SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "run/notify"), OWN_PID).enabled()).isFalse();
        assertThat(SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "@"), OWN_PID).enabled()).isFalse();
    }

    @Test
    void pingsAtHalfOfWatchdogUsec() {
        SdNotify n = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "/run/systemd/notify",
                "WATCHDOG_USEC", "10000000"), OWN_PID);
        assertThat(n.watchdogInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void pingsWhenWatchdogPidIsThisProcess() {
        SdNotify n = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "/run/systemd/notify",
                "WATCHDOG_USEC", "10000000", "WATCHDOG_PID", Long.toString(OWN_PID)), OWN_PID);
        assertThat(n.watchdogInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void ignoresAWatchdogMeantForAnotherProcess() {
        SdNotify n = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "/run/systemd/notify",
                "WATCHDOG_USEC", "10000000", "WATCHDOG_PID", "1"), OWN_PID);
        assertThat(n.enabled()).isTrue();
        assertThat(n.watchdogInterval()).isNull();
    }

    @Test
    void ignoresAWatchdogUsecThatIsNotAPositiveNumber() {
        assertThat(SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "ten"), OWN_PID)).isNull();
        assertThat(SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "0"), OWN_PID)).isNull();
    }

    @Test
    void sendsOneDatagramToAPathSocket() throws Exception {
        Path socket = dir.resolve("notify.sock");
        try (AFUNIXDatagramChannel systemd = AFUNIXDatagramChannel.open()) {
            systemd.bind(AFUNIXSocketAddress.of(socket));
            SdNotify n = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", socket.toString()), OWN_PID);
            assertThat(n.send("READY=1\nSTATUS=2 running, 0 backoff, 0 failed; no db")).isTrue();
            assertThat(receive(systemd)).isEqualTo("READY=1\nSTATUS=2 running, 0 backoff, 0 failed; no db");
            n.close();
        }
    }

    @Test
    void sendsToAnAbstractSocket() throws Exception {
        String name = "botvisor-test-" + UUID.randomUUID();
        try (AFUNIXDatagramChannel systemd = AFUNIXDatagramChannel.open()) {
            systemd.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
            SdNotify n = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "@" + name), OWN_PID);
            assertThat(n.send("WATCHDOG=1")).isTrue();
            assertThat(receive(systemd)).isEqualTo("WATCHDOG=1");
            n.close();
        }
    }

    @Test
    void aFailedSendIsReportedAndTheNextOneWorksOnceTheSocketIsThere() throws Exception {
        Path socket = dir.resolve("later.sock");
        SdNotify n = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", socket.toString()), OWN_PID);
        assertThat(n.send("STATUS=starting")).isFalse();
        try (AFUNIXDatagramChannel systemd = AFUNIXDatagramChannel.open()) {
            systemd.bind(AFUNIXSocketAddress.of(socket));
            assertThat(n.send("READY=1")).isTrue();
            assertThat(receive(systemd)).isEqualTo("READY=1");
        }
        n.close();
    }

    private static String receive(AFUNIXDatagramChannel ch) throws SocketTimeoutException, java.io.IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        // Blocking: the datagram was sent before this call, so it is already queued on the socket.
        ch.receive(buf);
        buf.flip();
        return StandardCharsets.UTF_8.decode(buf).toString();
    }
}

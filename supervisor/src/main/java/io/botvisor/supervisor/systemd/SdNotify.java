package io.botvisor.supervisor.systemd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's notification socket, as sd_notify(3) and sd_watchdog_enabled(3) describe it: {@code NOTIFY_SOCKET} names
 * a Unix datagram socket, a path or (leading {@code @}) an abstract name; each message is one datagram of
 * {@code KEY=VALUE} lines. The JDK has no Unix datagram sockets, so junixsocket sends them (its native library loads at
 * the first send: 56–88 ms, measured; {@link SystemdNotifier} makes that send off the supervisor's start path).
 * <p>Without {@code NOTIFY_SOCKET} (not started by systemd, or not {@code Type=notify}) every send is a no-op. The
 * watchdog interval is half of {@code WATCHDOG_USEC}, honoured only when {@code WATCHDOG_PID} is unset or this
 * process's pid (the variables leak to processes systemd did not start; none of them reaches a bot:
 * {@code process.ChildEnvironment}). A send that fails is logged once, with the next step, until one succeeds again.
 * <p>Thread-safe: {@link #send} is synchronized (one socket, opened at the first send) and never blocks: a message that
 * does not fit in the socket's queue is a failed send.
 */
public final class SdNotify implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SdNotify.class);
    static final String ENV_SOCKET = "NOTIFY_SOCKET";
    static final String ENV_WATCHDOG_USEC = "WATCHDOG_USEC";
    static final String ENV_WATCHDOG_PID = "WATCHDOG_PID";

    private final String socket;
    private final Duration watchdog;
    private AFUNIXDatagramChannel channel;
    private AFUNIXSocketAddress address;
    private boolean failing;

    private SdNotify(String socket, Duration watchdog) {
        this.socket = socket;
        this.watchdog = watchdog;
    }

    /** One that sends nothing. */
    public static SdNotify disabled() {
        return new SdNotify(null, null);
    }

    /**
     * From the supervisor's environment. An unusable value is said once at start and then ignored (systemd will then
     * not hear from the supervisor: its start times out, or the watchdog is off), never a reason not to run.
     */
    public static SdNotify fromEnvironment(Map<String, String> env, long ownPid) {
        String socket = env.get(ENV_SOCKET);
        if (socket == null || socket.isEmpty()) {
            return disabled();
        }
        if (!(socket.startsWith("/") || (socket.startsWith("@") && socket.length() > 1))) {
            log.warn("sd_notify: {} \"{}\" is neither a path nor an abstract name (@NAME); systemd will not hear "
                    + "from the supervisor (check the unit's Type= and NotifyAccess=)", ENV_SOCKET, socket);
            return disabled();
        }
        return new SdNotify(socket, watchdogInterval(env, ownPid));
    }

    /** Half of {@code WATCHDOG_USEC} when it is meant for {@code ownPid}, else null. */
    static Duration watchdogInterval(Map<String, String> env, long ownPid) {
        String usec = env.get(ENV_WATCHDOG_USEC);
        if (usec == null || usec.isEmpty()) {
            return null;
        }
        String pid = env.get(ENV_WATCHDOG_PID);
        if (pid != null && !pid.isEmpty() && !pid.equals(Long.toString(ownPid))) {
            log.info("sd_notify: {} is for pid {}, not this one ({}): no watchdog pings", ENV_WATCHDOG_PID, pid,
                    ownPid);
            return null;
        }
        long micros;
        try {
            micros = Long.parseLong(usec);
        } catch (NumberFormatException e) {
            micros = -1;
        }
        if (micros <= 0) {
            log.warn("sd_notify: {} \"{}\" is not a positive number of microseconds; no watchdog pings (systemd "
                    + "will restart the supervisor if its unit has WatchdogSec=)", ENV_WATCHDOG_USEC, usec);
            return null;
        }
        return Duration.ofNanos(micros * 1000 / 2);
    }

    /** Whether systemd listens (NOTIFY_SOCKET is set and usable). */
    public boolean enabled() {
        return socket != null;
    }

    /** How often to ping the watchdog (half of WATCHDOG_USEC), or null when systemd expects no pings from us. */
    public Duration watchdogInterval() {
        return socket == null ? null : watchdog;
    }

    /**
     * Sends one message ({@code KEY=VALUE} lines joined by newlines); true when it was sent, false when disabled or
     * the send failed (logged once until a send succeeds again).
     */
    public synchronized boolean send(String message) {
        if (socket == null) {
            return false;
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try {
            if (channel == null) {
                address = socket.startsWith("@") ? AFUNIXSocketAddress.inAbstractNamespace(socket.substring(1))
                        : AFUNIXSocketAddress.of(java.nio.file.Path.of(socket));
                channel = AFUNIXDatagramChannel.open();
                // Never wait for systemd: STOPPING=1 of 'ctl shutdown' is sent on the supervisor's loop.
                channel.configureBlocking(false);
            }
            if (channel.send(ByteBuffer.wrap(bytes), address) == 0) {
                throw new IOException("its receive queue is full");
            }
            if (failing) {
                failing = false;
                log.info("sd_notify: sending to {} works again", socket);
            }
            return true;
        } catch (IOException | RuntimeException | LinkageError e) {
            // LinkageError: junixsocket's native library did not load (an unsupported platform, a noexec tmpdir).
            if (!failing) {
                failing = true;
                log.warn("sd_notify: cannot send to {} ({}); systemd does not hear this ({}) nor what follows until "
                        + "a send works again: without READY its start times out, without pings its watchdog "
                        + "restarts the supervisor", socket, e.toString(), firstLine(message));
            }
            return false;
        }
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl) + " …";
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                log.debug("sd_notify: closing the socket: {}", e.toString());
            }
            channel = null;
        }
    }
}

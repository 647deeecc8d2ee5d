package io.botvisor.supervisor.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A wake-up with no payload, over a Unix socket: the supervisor listens, a CLI connects right after appending its
 * request to the control queue, and the supervisor reads the queue at once instead of at its next tick. The queue
 * stays the only carrier; a ring that is lost (no socket, path too long for a Unix socket) only delays the request
 * to the next tick. A blocked accept costs nothing while idle, unlike a faster tick.
 */
public final class Doorbell implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Doorbell.class);
    private final Path path;
    private final ServerSocketChannel server;
    private final Thread thread;

    private Doorbell(Path path, ServerSocketChannel server, Runnable onRing) {
        this.path = path;
        this.server = server;
        this.thread = new Thread(() -> listen(onRing), "control-doorbell");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Listens on {@code path}, replacing a socket file a dead supervisor left (the caller holds the state-dir lock).
     * Returns null, with the reason logged, when the socket cannot be made: control then answers at the next tick.
     */
    public static Doorbell listen(Path path, Runnable onRing) {
        try {
            ServerSocketChannel server = bind(path);
            return new Doorbell(path, server, onRing);
        } catch (IOException | RuntimeException e) {
            log.warn("control doorbell {} not available ({}); control requests are read every tick instead", path,
                    e.toString());
            return null;
        }
    }

    /**
     * A Unix socket listening at {@code path}, replacing the file a dead supervisor left there (the caller holds the
     * state-dir lock); nothing is left open when it fails. The doorbell's and the status socket's.
     */
    static ServerSocketChannel bind(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Rings the doorbell at {@code path}; a missing or dead listener is not an error (the tick still reads). */
    public static void ring(Path path) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            // Connecting is the ring.
        } catch (IOException | RuntimeException e) {
            // No listener: nothing to wake.
        }
    }

    private void listen(Runnable onRing) {
        while (true) {
            try (SocketChannel ignored = server.accept()) {
                onRing.run();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // Not a close: something is wrong with the socket. Stop rather than spin; the tick still reads.
                log.warn("control doorbell stopped ({}); control requests are read every tick instead", e.toString());
                return;
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("control doorbell: cannot remove {}: {}", path, e.toString());
        }
    }
}

package io.botvisor.supervisor.control;

import io.botvisor.ipc.IpcLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only lane of {@code ctl status}: a Unix socket beside the doorbell ({@code ipc/control/status.sock}, in the
 * directory of the control queues, so reachable by exactly those who may use them) on which a client writes its
 * arguments, one a line, and reads the exit code on a line and then the output, as the queue would have answered.
 * Why: a fresh CLI JVM that answers over the queue opens Chronicle Queue, most of a ctl status run (BENCHMARKS.md,
 * benchmark 5). Only status is served here; every command that changes something goes through the control queue, in
 * order, audited, with its id. A client that finds no socket, or gets no answer, asks over the queue instead (a
 * supervisor still starting, or of an earlier version). Connections are served one at a time on this class's own
 * thread, each within {@link #DEADLINE} (a client that stalls is cut off, never waited for); the status is taken on
 * the loop, like any request.
 */
public final class StatusSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusSocket.class);
    static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final int MAX_REQUEST = 64 * 1024;

    /** What status answers: the exit code and the text, as the queue's reply carries them. */
    public record Answer(int exitCode, String output) {
    }

    private final Path path;
    private final ServerSocketChannel server;

    private StatusSocket(Path path, ServerSocketChannel server, Function<List<String>, Answer> status, Executor loop) {
        this.path = path;
        this.server = server;
        Thread t = new Thread(() -> serve(status, loop), "control-status");
        t.setDaemon(true);
        t.start();
    }

    public static Path path(IpcLayout layout) {
        return layout.controlDoorbell().resolveSibling("status.sock");
    }

    /**
     * Serves {@code status} (run on {@code loop}) at {@code path}, replacing a socket file a dead supervisor left (the
     * caller holds the state-dir lock). Null, with the reason logged, when the socket cannot be made: ctl status then
     * goes through the queue.
     */
    public static StatusSocket listen(Path path, Function<List<String>, Answer> status, Executor loop) {
        try {
            ServerSocketChannel server = Doorbell.bind(path);
            return new StatusSocket(path, server, status, loop);
        } catch (IOException | RuntimeException e) {
            log.warn("status socket {} not available ({}); ctl status goes through the control queue", path,
                    e.toString());
            return null;
        }
    }

    private void serve(Function<List<String>, Answer> status, Executor loop) {
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                log.warn("status socket stopped ({}); ctl status goes through the control queue", e.toString());
                return;
            }
            try (ch; Selector selector = Selector.open()) {
                long deadline = System.nanoTime() + DEADLINE.toNanos();
                ch.configureBlocking(false);
                String request = read(ch, selector, deadline);
                if (request == null) {
                    continue; // too long or too slow: nothing is answered, the client asks the queue
                }
                List<String> args = request.lines().filter(l -> !l.isEmpty()).toList();
                CompletableFuture<Answer> answer = new CompletableFuture<>();
                loop.execute(() -> {
                    try {
                        answer.complete(status.apply(args));
                    } catch (RuntimeException e) {
                        answer.completeExceptionally(e);
                    }
                });
                Answer a = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                write(ch, selector, ByteBuffer.wrap((a.exitCode() + "\n" + a.output())
                        .getBytes(StandardCharsets.UTF_8)), deadline);
            } catch (TimeoutException | ExecutionException | IOException | RuntimeException e) {
                // The loop was busy past the deadline, or the client left: it asks over the queue, or is gone.
                log.debug("status socket: a request went unanswered ({})", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The request, up to the client's end of output; null past the deadline or the size limit. */
    private static String read(SocketChannel ch, Selector selector, long deadline) throws IOException {
        ch.register(selector, SelectionKey.OP_READ);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (true) {
            int n = ch.read(buf.clear());
            if (n < 0) {
                return got.toString(StandardCharsets.UTF_8);
            }
            got.write(buf.array(), 0, n);
            if (got.size() > MAX_REQUEST) {
                return null;
            }
            if (n == 0 && !await(selector, deadline)) {
                return null;
            }
        }
    }

    private static void write(SocketChannel ch, Selector selector, ByteBuffer out, long deadline) throws IOException {
        ch.register(selector, SelectionKey.OP_WRITE);
        while (out.hasRemaining()) {
            if (ch.write(out) == 0 && !await(selector, deadline)) {
                return;
            }
        }
    }

    private static boolean await(Selector selector, long deadline) throws IOException {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (ms <= 0) {
            return false;
        }
        selector.select(ms);
        selector.selectedKeys().clear();
        return true;
    }

    /**
     * Asks for status ARGS on the socket of {@code stateDir}: the answer, or null when there is none to be had this
     * way (no socket, refused, cut off), and the caller asks over the queue. Loads no Chronicle class.
     */
    public static ControlClient.Result ask(Path stateDir, List<String> args) {
        Path p = path(new IpcLayout(stateDir));
        if (!Files.exists(p)) {
            return null;
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
            ch.write(ByteBuffer.wrap((String.join("\n", args) + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (ch.read(buf.clear()) >= 0) {
                got.write(buf.array(), 0, buf.position());
            }
            String reply = got.toString(StandardCharsets.UTF_8);
            int nl = reply.indexOf('\n');
            if (nl <= 0 || !reply.substring(0, nl).matches("\\d{1,3}")) {
                return null;
            }
            return new ControlClient.Result(Integer.parseInt(reply.substring(0, nl)), reply.substring(nl + 1));
        } catch (IOException | RuntimeException e) {
            return null; // refused (a dead supervisor's file) or cut off: the queue answers, or says why not
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("status socket: cannot remove {}: {}", path, e.toString());
        }
    }
}

package io.botvisor.supervisor.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import org.apache.commons.exec.ExecuteStreamHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires a child's standard streams. stdout and stderr are copied into the bot's rotating files by one daemon thread
 * each, every line stamped with the time it arrived unless the bot stamps its own ({@link LineStamper}); the pumps
 * end by themselves at end-of-file, and {@link #stop} does not wait for them, because a grandchild that still holds
 * the pipe would block it forever (Commons Exec's PumpStreamHandler does). stdin is held open and
 * never written: when this process dies, even by {@code kill -9}, the kernel closes it and the child sees
 * end-of-file, which is how a bot-runner child knows to exit. The only bytes ever written to it are doorbells
 * ({@link #ring}): "a command is waiting in your queue". Owned by one child.
 */
final class ChildStreams implements ExecuteStreamHandler {
    private static final Logger log = LoggerFactory.getLogger(ChildStreams.class);
    private final String botId;
    private final OutputStream stdoutFile;
    private final OutputStream stderrFile;
    private final boolean timestamps;
    private volatile OutputStream stdin;
    private InputStream stdout;
    private InputStream stderr;

    ChildStreams(String botId, OutputStream stdoutFile, OutputStream stderrFile, boolean timestamps) {
        this.botId = botId;
        this.stdoutFile = stdoutFile;
        this.stderrFile = stderrFile;
        this.timestamps = timestamps;
    }

    @Override
    public void setProcessInputStream(OutputStream os) {
        this.stdin = os;
    }

    @Override
    public void setProcessOutputStream(InputStream is) {
        this.stdout = is;
    }

    @Override
    public void setProcessErrorStream(InputStream is) {
        this.stderr = is;
    }

    @Override
    public void start() {
        pump(stdout, stdoutFile, "stdout");
        pump(stderr, stderrFile, "stderr");
    }

    private void pump(InputStream stream, OutputStream to, String name) {
        // Read to end-of-file, whatever closes Commons Exec makes once the child is reaped (PumpedProcess).
        InputStream from = stream instanceof PumpedProcess.PumpOwned own ? own.owned() : stream;
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            LineStamper lines = new LineStamper(Clock.systemDefaultZone(), timestamps);
            try (from; to) {
                try {
                    int n;
                    while ((n = from.read(buf)) >= 0) {
                        lines.write(buf, n, to);
                        to.flush();
                    }
                } finally {
                    lines.end(to);
                }
            } catch (IOException e) {
                log.warn("bot '{}': copying {} stopped: {}", botId, name, e.toString());
            }
        }, "out-" + botId + "-" + name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void stop() {
        closeStdin();
    }

    /**
     * One byte down the child's stdin after a command was written to its queue, so that it reads the queue now
     * instead of at its next slow poll. A pipe holds 64 KiB; commands are a handful per child life, so this never
     * blocks. A child that has already gone makes it fail, which is harmless and ignored.
     */
    void ring() {
        OutputStream s = stdin;
        if (s != null) {
            try {
                s.write(1);
                s.flush();
            } catch (IOException e) {
                log.debug("bot '{}': doorbell: {}", botId, e.toString());
            }
        }
    }

    void closeStdin() {
        OutputStream s = stdin;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                log.debug("bot '{}': closing stdin: {}", botId, e.toString());
            }
        }
    }
}

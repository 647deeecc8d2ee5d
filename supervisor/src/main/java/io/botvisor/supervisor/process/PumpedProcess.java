package io.botvisor.supervisor.process;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * The child's {@link Process} as Commons Exec sees it: the same, except that closing its stdout or stderr does
 * nothing. Commons Exec closes both as soon as the process is reaped, while ChildStreams' pumps may still be reading
 * what the child wrote last (the JDK keeps those bytes for them when the process ends): closed, they would be lost, a
 * crash's last lines with them. The pumps read to end-of-file and close the streams themselves. Immutable.
 */
final class PumpedProcess extends Process {
    private final Process p;

    PumpedProcess(Process p) {
        this.p = p;
    }

    @Override
    public OutputStream getOutputStream() {
        return p.getOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return new PumpOwned(p.getInputStream());
    }

    @Override
    public InputStream getErrorStream() {
        return new PumpOwned(p.getErrorStream());
    }

    @Override
    public int waitFor() throws InterruptedException {
        return p.waitFor();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        return p.waitFor(timeout, unit);
    }

    @Override
    public int exitValue() {
        return p.exitValue();
    }

    @Override
    public void destroy() {
        p.destroy();
    }

    @Override
    public Process destroyForcibly() {
        return p.destroyForcibly();
    }

    @Override
    public boolean isAlive() {
        return p.isAlive();
    }

    @Override
    public long pid() {
        return p.pid();
    }

    @Override
    public ProcessHandle toHandle() {
        return p.toHandle();
    }

    /** A stream only its pump may close: it reads and closes {@link #owned()}; anyone else's close is ignored. */
    static final class PumpOwned extends java.io.FilterInputStream {
        PumpOwned(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // Commons Exec's close after the reap: the pump is not done with it.
        }

        InputStream owned() {
            return in;
        }
    }
}

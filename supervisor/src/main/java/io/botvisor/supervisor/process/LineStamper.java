package io.botvisor.supervisor.process;

import io.botvisor.supervisor.logs.Stamps;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Arrays;

/**
 * Turns what a child wrote to one stream into the bytes of its log file: each line starts with the time its first
 * byte arrived ({@link Stamps}), unless the bot stamps its own ({@code stamp} false: bytes pass unchanged). A line
 * that arrives in pieces is stamped once, at its start, and continued in place; a line longer than
 * {@link #MAX_LINE} bytes is split (at a character boundary) into stamped lines, not dropped or held; a last line
 * without a newline is ended by {@link #end}, so that the next incarnation's first line, appended to the same file,
 * starts on a line of its own. Owned by the thread that copies the stream.
 */
final class LineStamper {
    /** Longer stamped lines are split: each piece still carries a time, and {@code ctl logs} reads short lines. */
    static final int MAX_LINE = 16 * 1024;
    private final Clock clock;
    private final boolean stamp;
    private byte[] out = new byte[16 * 1024];
    private int length;
    private boolean atLineStart = true;
    private int lineBytes;

    LineStamper(Clock clock, boolean stamp) {
        this.clock = clock;
        this.stamp = stamp;
    }

    /** Writes the file's bytes for the {@code n} bytes just read from the stream, in one write. */
    void write(byte[] in, int n, OutputStream to) throws IOException {
        if (!stamp) {
            if (n > 0) {
                atLineStart = in[n - 1] == '\n';
                to.write(in, 0, n);
            }
            return;
        }
        length = 0;
        byte[] prefix = null; // one clock read for everything that arrived together
        for (int i = 0; i < n; i++) {
            byte c = in[i];
            // Split before a character's first byte (never inside UTF-8's continuation bytes 10xxxxxx).
            boolean split = !atLineStart && lineBytes >= MAX_LINE && c != '\n' && (c & 0xC0) != 0x80;
            if (split) {
                put((byte) '\n');
            }
            if (atLineStart || split) {
                if (prefix == null) {
                    prefix = Stamps.prefix(clock.millis(), clock.getZone());
                }
                put(prefix, prefix.length);
                atLineStart = false;
                lineBytes = 0;
            }
            put(c);
            lineBytes++;
            atLineStart = c == '\n';
        }
        to.write(out, 0, length);
    }

    /** At end-of-file: ends the stream's last line with a newline if it had none. */
    void end(OutputStream to) throws IOException {
        if (!atLineStart) {
            to.write('\n');
            atLineStart = true;
        }
    }

    private void put(byte b) {
        ensure(1);
        out[length++] = b;
    }

    private void put(byte[] b, int n) {
        ensure(n);
        System.arraycopy(b, 0, out, length, n);
        length += n;
    }

    private void ensure(int more) {
        if (length + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, length + more));
        }
    }
}

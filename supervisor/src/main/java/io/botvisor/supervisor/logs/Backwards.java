package io.botvisor.supervisor.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Reads a file's lines from the last to the first, a block at a time from the end: the last lines of a file of any
 * size cost what they are, not the file. Not thread-safe; one reader per call.
 */
final class Backwards {
    private static final int BLOCK = 64 * 1024;
    /** A line longer than this (only a bot's unstamped output can have one) is shown cut, with its length. */
    static final int MAX_SHOWN = 1 << 20;

    /** What the reader is told of each line; false stops the reading. */
    interface Lines {
        boolean line(String line) throws IOException;
    }

    private Backwards() {
    }

    /**
     * Calls {@code each} for every line of {@code ch}'s first {@code end} bytes, last line first (a last line without a
     * newline counts). Returns false when {@code each} stopped it.
     */
    static boolean read(FileChannel ch, long end, Lines each) throws IOException {
        if (end <= 0) {
            return true;
        }
        long lineEnd = byteAt(ch, end - 1) == '\n' ? end - 1 : end;
        ByteBuffer block = ByteBuffer.allocate(BLOCK);
        long pos = lineEnd;
        while (pos > 0) {
            int len = (int) Math.min(BLOCK, pos);
            long from = pos - len;
            block.clear().limit(len);
            readFully(ch, block, from);
            for (int i = len - 1; i >= 0; i--) {
                if (block.get(i) == '\n') {
                    if (!each.line(text(ch, from + i + 1, lineEnd))) {
                        return false;
                    }
                    lineEnd = from + i;
                }
            }
            pos = from;
        }
        return each.line(text(ch, 0, lineEnd));
    }

    private static int byteAt(FileChannel ch, long pos) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        return ch.read(b, pos) == 1 ? b.get(0) : -1;
    }

    private static String text(FileChannel ch, long from, long to) throws IOException {
        long length = to - from;
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(length, MAX_SHOWN));
        readFully(ch, b, from);
        String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        return length > MAX_SHOWN ? s + " … (line cut: " + length + " bytes)" : s;
    }

    static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) {
                break; // the file was cut meanwhile: what is there is what there is
            }
        }
    }
}

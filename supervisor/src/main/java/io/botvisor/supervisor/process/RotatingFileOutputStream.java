package io.botvisor.supervisor.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Appends to {@code file}; when the next write would pass {@code maxBytes} the file becomes {@code file.1}, older ones
 * shift up, and the one past {@code maxFiles} is deleted. A chatty or crash-looping child therefore holds at most
 * {@code (maxFiles + 1) × maxBytes} of disk per stream. Rotation renames (a reader that holds the file open keeps
 * reading it to its end and then opens the new one: {@code ctl logs -f}); nothing is copied or truncated, which
 * loses what is written meanwhile. A file is cut after its last whole line that fits, so a line is split across two
 * files only when it is longer than what is left of the file (or, without a newline, than a whole file).
 * Thread-safe.
 */
public final class RotatingFileOutputStream extends OutputStream {
    private final Path file;
    private final long maxBytes;
    private final int maxFiles;
    private OutputStream out;
    private long size;
    /** Whether the file ends with a whole line (or is empty). */
    private boolean endsLine;

    public RotatingFileOutputStream(Path file, long maxBytes, int maxFiles) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.maxFiles = maxFiles;
        Files.createDirectories(file.getParent());
        open();
    }

    private void open() throws IOException {
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        size = Files.size(file);
        endsLine = size == 0 || lastByte() == '\n';
    }

    private int lastByte() throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            return ch.read(b, size - 1) == 1 ? b.get(0) : -1;
        }
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            long room = maxBytes - size;
            int n;
            if (len <= room) {
                n = len;
            } else {
                int lastNewline = lastNewline(b, off, (int) Math.max(0, room));
                if (lastNewline >= 0) {
                    n = lastNewline - off + 1; // the whole lines that fit; the rest goes to the next file
                } else if (size > 0 && (endsLine || room <= 0)) {
                    rotate();
                    continue;
                } else {
                    n = (int) room; // a line begun here, or longer than a whole file: fill this file
                }
            }
            out.write(b, off, n);
            size += n;
            endsLine = b[off + n - 1] == '\n';
            off += n;
            len -= n;
        }
    }

    private static int lastNewline(byte[] b, int off, int len) {
        for (int i = off + len - 1; i >= off; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void rotate() throws IOException {
        out.close();
        Files.deleteIfExists(numbered(maxFiles));
        for (int i = maxFiles - 1; i >= 1; i--) {
            if (Files.exists(numbered(i))) {
                Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private Path numbered(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}

package io.botvisor.supervisor.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One of a bot's log files — {@code stdout.log}, {@code stderr.log} or {@code events.log} — with the files it was
 * rotated into ({@code NAME.1} the newest of them). {@link #open} takes the file as it is at that moment: {@link #last}
 * reads the lines before that point, {@link #poll} those written after it, so that a follower neither loses nor
 * repeats a line. Rotation renames the file (RotatingFileOutputStream): the follower reads the file it holds to its
 * end, then any file rotated after it, then the new live file from its start. Not thread-safe; one per stream.
 */
public final class LogStream implements AutoCloseable {
    /** The three files of a bot, in the order lines with the same time are shown. */
    public enum Kind {
        EVENTS("events.log", "evt"), STDOUT("stdout.log", "out"), STDERR("stderr.log", "err");

        final String file;
        final String tag;

        Kind(String file, String tag) {
            this.file = file;
            this.tag = tag;
        }

        /** A short name put before each line when streams are interleaved. */
        public String tag() {
            return tag;
        }
    }

    /** A line and when it was written (null: unknown; the bot's lines are unstamped). */
    public record Line(Instant time, Kind kind, String text) {
    }

    private static final int BLOCK = 64 * 1024;
    private final Kind kind;
    private final Path live;
    private FileChannel ch;
    private Object key;
    private long pos;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private boolean noStamps;

    private LogStream(Kind kind, Path live) {
        this.kind = kind;
        this.live = live;
    }

    /**
     * The stream {@code kind} in a bot's logs directory, taken as it is now (the file may not exist yet). To be
     * followed: a last line still being written is left to {@link #poll}, which shows it whole once it is.
     */
    public static LogStream open(Path botLogs, Kind kind, boolean follow) throws IOException {
        LogStream s = new LogStream(kind, botLogs.resolve(kind.file));
        if (s.reopen()) {
            s.pos = follow ? afterLastNewline(s.ch, s.ch.size()) : s.ch.size();
        }
        return s;
    }

    private static long afterLastNewline(FileChannel ch, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(BLOCK);
        for (long end = size; end > 0; ) {
            int len = (int) Math.min(BLOCK, end);
            long from = end - len;
            b.clear().limit(len);
            Backwards.readFully(ch, b, from);
            for (int i = b.position() - 1; i >= 0; i--) {
                if (b.get(i) == '\n') {
                    return from + i + 1;
                }
            }
            end = from;
        }
        return 0;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether the last {@link #last} with a {@code since} found lines it could not place in time (no stamps). */
    public boolean unstamped() {
        return noStamps;
    }

    /**
     * The last {@code n} lines written before {@link #open} (across rotated files), oldest first; with {@code since},
     * only those stamped at or after it (an unstamped line goes with the stamped one before it).
     */
    public List<Line> last(int n, Instant since) throws IOException {
        Deque<String> kept = new ArrayDeque<>();
        List<String> pending = new ArrayList<>(); // unstamped lines, newest first, waiting for their stamped head
        boolean[] stamped = {false};
        Backwards.Lines each = line -> {
            if (since == null) {
                kept.addFirst(line);
                return kept.size() < n;
            }
            Instant t = Stamps.of(line);
            if (t == null) {
                pending.add(line);
                return true;
            }
            stamped[0] = true;
            if (t.isBefore(since)) {
                return false;
            }
            pending.add(line);
            for (String p : pending) {
                if (kept.size() >= n) {
                    return false;
                }
                kept.addFirst(p);
            }
            pending.clear();
            return kept.size() < n;
        };
        if (n > 0) {
            boolean more = ch == null || Backwards.read(ch, pos, each);
            for (int i = 1; more; i++) {
                Path rotated = rotated(i);
                try (FileChannel r = FileChannel.open(rotated, StandardOpenOption.READ)) {
                    more = Backwards.read(r, r.size(), each);
                } catch (NoSuchFileException e) {
                    break;
                }
            }
        }
        noStamps = since != null && !stamped[0] && !pending.isEmpty();
        return timed(new ArrayList<>(kept));
    }

    /** Each line's time: its stamp, else that of the stamped line before it (or after it, for the first ones). */
    private List<Line> timed(List<String> lines) {
        List<Line> out = new ArrayList<>(lines.size());
        Instant t = null;
        for (String s : lines) {
            Instant own = Stamps.of(s);
            t = own != null ? own : t;
            out.add(new Line(t, kind, s));
        }
        Instant next = null;
        for (int i = out.size() - 1; i >= 0; i--) {
            Line l = out.get(i);
            next = l.time() != null ? l.time() : next;
            if (l.time() == null && next != null) {
                out.set(i, new Line(next, kind, l.text()));
            }
        }
        return out;
    }

    /**
     * The whole lines written since the last call (or since {@link #open}), following the file across rotations. A
     * last line still without its newline waits for it, unless its file was rotated away.
     */
    public List<String> poll() throws IOException {
        List<String> out = new ArrayList<>();
        if (ch == null) {
            if (!reopen()) {
                return out;
            }
            pos = 0;
        }
        drain(ch, out);
        Object now = keyOf(live);
        if (now != null && !now.equals(key)) {
            drain(ch, out); // written between the read above and the rename
            for (Path newer : rotatedAfterOurs()) {
                try (FileChannel r = FileChannel.open(newer, StandardOpenOption.READ)) {
                    pos = 0;
                    drain(r, out);
                    endPartial(out);
                } catch (NoSuchFileException e) {
                    // rotated out of reach meanwhile: nothing left to read of it
                }
            }
            endPartial(out);
            ch.close();
            ch = null;
            if (reopen()) {
                pos = 0;
                drain(ch, out);
            }
        } else if (now != null && ch.size() < pos) {
            // Cut in place by someone else (botvisor never truncates): read it again from its start. (The size of the
            // file held, which is the live one: looking the path up again could find it mid-rotation, renamed and not
            // yet replaced, and throw NoSuchFileException — which ended `ctl logs -f`.)
            partial.reset();
            pos = 0;
            drain(ch, out);
        }
        return out;
    }

    /** Rotated files newer than the one we hold, oldest first: all of them if ours was rotated out of reach. */
    private List<Path> rotatedAfterOurs() throws IOException {
        List<Path> newer = new ArrayList<>();
        for (int i = 1; ; i++) {
            Object k = keyOf(rotated(i));
            if (k == null || k.equals(key)) {
                break;
            }
            newer.add(0, rotated(i));
        }
        return newer;
    }

    private void drain(FileChannel from, List<String> out) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(BLOCK);
        int n;
        while ((n = from.read(b.clear(), pos)) > 0) {
            pos += n;
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (b.get(i) == '\n') {
                    partial.write(b.array(), start, i - start);
                    out.add(partial.toString(StandardCharsets.UTF_8));
                    partial.reset();
                    start = i + 1;
                }
            }
            partial.write(b.array(), start, n - start);
        }
    }

    private void endPartial(List<String> out) {
        if (partial.size() > 0) {
            out.add(partial.toString(StandardCharsets.UTF_8));
            partial.reset();
        }
    }

    /** Opens the live file and learns which file it is; false when there is none. */
    private boolean reopen() throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            Object before = keyOf(live);
            if (before == null) {
                return false;
            }
            FileChannel c;
            try {
                c = FileChannel.open(live, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                continue;
            }
            if (before.equals(keyOf(live))) {
                ch = c;
                key = before;
                return true;
            }
            c.close(); // rotated while it was opened: which file it is is not known
        }
        return false;
    }

    private Path rotated(int i) {
        return live.resolveSibling(live.getFileName() + "." + i);
    }

    private static Object keyOf(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        if (ch != null) {
            ch.close();
        }
    }
}

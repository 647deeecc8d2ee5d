package io.botvisor.ipc;

import io.botvisor.ipc.internal.QueueRetention;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.posix.PosixAPI;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * One Chronicle queue directory, opened with the settings every botvisor queue shares: a small block size (control
 * traffic is a few hundred bytes a second; the default 64 MB block would only grow resident memory), hourly cycles,
 * and deletion of cycle files older than the previous cycle once they are released, so a queue never grows without
 * bound. Thread-safe for opening writers and readers; close it once, after them.
 */
public final class IpcQueue implements AutoCloseable {
    /** 256 KiB: several minutes of heartbeats per block; the mapping is sparse, so RSS follows what is written. */
    static final long BLOCK_SIZE = 256 * 1024;

    static {
        // Chronicle binds POSIX calls through JNR when it first loads (~300 classes, part generated at run time, that
        // no class-data archive can hold: tens of ms in every JVM). The binding serves only msync, the pre-toucher and
        // a POSIX clock, none of which these queues use. Must run before any other Chronicle class loads.
        PosixAPI.useNoOpPosixApi();
    }

    private final Path dir;
    private final SingleChronicleQueue queue;

    private IpcQueue(Path dir, SingleChronicleQueue queue) {
        this.dir = dir;
        this.queue = queue;
    }

    public static IpcQueue open(Path dir) {
        try {
            Files.createDirectories(dir);
            QueueRetention retention = new QueueRetention();
            SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir)
                    .blockSize(BLOCK_SIZE)
                    .rollCycle(RollCycles.FAST_HOURLY)
                    .storeFileListener(retention)
                    .build();
            retention.attach(q);
            return new IpcQueue(dir, q);
        } catch (Exception e) {
            throw new UnableToOpenQueueException("cannot open queue " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens a queue that this process only reads and a less trusted process writes (a bot's events, read by the
     * supervisor; a bot's commands, read by the bot): Chronicle writes nothing here — no table store, no directory
     * listing, no lock — so a directory the reader cannot write works, and a writer cannot make the reader write
     * through a symlink it planted. A file the writer planted under the next cycle's name costs each read at most
     * {@code 2 × READ_ONLY_TIMEOUT} (Chronicle's default is 10 s).
     */
    public static IpcQueue openReadOnly(Path dir) {
        try {
            SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir)
                    .blockSize(BLOCK_SIZE)
                    .rollCycle(RollCycles.FAST_HOURLY)
                    .readOnly(true)
                    .timeoutMS(READ_ONLY_TIMEOUT_MS)
                    .build();
            return new IpcQueue(dir, q);
        } catch (Exception e) {
            throw new UnableToOpenQueueException("cannot open queue " + dir + " to read: " + e.getMessage(), e);
        }
    }

    /** How long a read-only queue waits for a cycle file's header (see {@link #openReadOnly}). */
    static final long READ_ONLY_TIMEOUT_MS = 200;

    public Path dir() {
        return dir;
    }

    /** A writer for this queue. A queue should have one writing process (see shared/design-notes.md). */
    public MessageWriter writer() {
        return new MessageWriter(queue.createAppender(), dir.toString());
    }

    /**
     * A reader that sees only what is written after this call: nothing stale is ever delivered. Documents over
     * {@code maxDocumentBytes} are skipped unread ({@link MessageReader}).
     */
    public MessageReader readerFromEnd(int maxDocumentBytes) {
        return new MessageReader(queue.createTailer().toEnd(), dir.toString(), maxDocumentBytes);
    }

    /** {@link #readerFromEnd(int)} with the cap for a queue a bot may write. */
    public MessageReader readerFromEnd() {
        return readerFromEnd(MessageReader.UNTRUSTED_MAX_BYTES);
    }

    /**
     * A reader from the oldest message the queue still holds (retention keeps about two hourly cycles): for a reader
     * that must see what was written before it opened, and filters by time what is not for it.
     */
    public MessageReader readerFromStart(int maxDocumentBytes) {
        return new MessageReader(queue.createTailer().toStart(), dir.toString(), maxDocumentBytes);
    }

    SingleChronicleQueue chronicle() {
        return queue;
    }

    @Override
    public void close() {
        queue.close();
    }

    @Override
    public String toString() {
        return "queue " + dir;
    }

    static File[] cycleFiles(Path dir) {
        return dir.toFile().listFiles((d, name) -> name.endsWith(".cq4"));
    }
}

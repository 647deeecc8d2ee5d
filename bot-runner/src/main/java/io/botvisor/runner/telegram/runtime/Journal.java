package io.botvisor.runner.telegram.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * One bot process's local journal: an append-only file {@code <dir>/journal.log} of {@link JournalEntry} records, each
 * framed as {@code [int length][int CRC-32][length bytes]}, and {@code <dir>/owner.lock}, locked for as long as the
 * process lives (the lock dies with it, even on {@code kill -9}, so a journal whose lock can be taken has no owner).
 *
 * <p>Durability: {@link #append} returns once the record is written to the file with {@code write(2)}: it is in the
 * page cache, which outlives the process (a {@code kill -9} loses nothing written); it is not fsynced, so a power loss
 * may lose the tail. A record torn by a crash mid-write fails its length or CRC check: reading stops there.
 *
 * <p>Why a plain file and not a Chronicle Queue (which the child has for IPC): the journal is written rarely (only
 * while the database is down), read whole once (the replay) and then emptied; a queue would map a 64 MB block file per
 * roll cycle and need tailers and a retention listener for that, while {@code truncate} empties this one and its size
 * on disk is exactly what the cap counts.
 *
 * <p>Thread-safe: every method is synchronized.
 */
final class Journal implements AutoCloseable {
    static final String LOG = "journal.log";
    static final String LOCK = "owner.lock";
    private static final int HEADER = 8;
    private static final int MAX_RECORD = 16 * 1024 * 1024;

    private final Path dir;
    private final long maxBytes;
    private final JournalEntry.Codec codec = new JournalEntry.Codec();
    private final FileChannel log;
    private final FileChannel lockFile;
    private final FileLock lock;
    private long size;
    private long entries;
    private long oldestMillis;

    /** Thrown when a capped record would take the journal past its {@code maxBytes}: nothing was written. */
    static final class FullException extends Exception {
        private static final long serialVersionUID = 1L;

        FullException(String message) {
            super(message);
        }
    }

    private Journal(Path dir, long maxBytes, FileChannel log, FileChannel lockFile, FileLock lock) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.log = log;
        this.lockFile = lockFile;
        this.lock = lock;
        this.size = log.size();
    }

    /** Creates and owns the journal in {@code dir} (a directory of this process's own). */
    static Journal create(Path dir, long maxBytes) throws IOException {
        Files.createDirectories(dir);
        FileChannel lockFile = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.tryLock();
        if (lock == null) {
            lockFile.close();
            throw new IOException("journal " + dir + " is owned by another process (its " + LOCK + " is locked)");
        }
        FileChannel log = FileChannel.open(dir.resolve(LOG), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        log.truncate(0);
        log.position(0);
        return new Journal(dir, maxBytes, log, lockFile, lock);
    }

    /**
     * Journals under {@code root} whose owner is gone (their lock could be taken), oldest directory first, each locked
     * now by the caller: read, replay, then {@link #delete}. Directories named in {@code skip} (this process's own) are
     * not looked at.
     */
    static List<Journal> orphans(Path root, String skip) throws IOException {
        List<Journal> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).filter(d -> !d.getFileName().toString().equals(skip))
                    .sorted(Comparator.comparing(Journal::modified)).toList();
        }
        for (Path d : dirs) {
            Journal j = orphan(d);
            if (j != null) {
                out.add(j);
            }
        }
        return out;
    }

    /** The journal in {@code d} locked for the caller, or null when its owner lives (or it went meanwhile). */
    private static Journal orphan(Path d) {
        FileChannel lockFile = null;
        try {
            lockFile = FileChannel.open(d.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockFile.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it: not an orphan
            }
            if (lock == null) {
                lockFile.close();
                return null;
            }
            FileChannel log = FileChannel.open(d.resolve(LOG), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            return new Journal(d, Long.MAX_VALUE, log, lockFile, lock);
        } catch (IOException e) {
            closeQuietly(lockFile); // another process replayed and removed it meanwhile
            return null;
        }
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing held: the lock, if any, goes with the channel
            }
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    Path dir() {
        return dir;
    }

    /**
     * Appends {@code e}. A {@code capped} record (a received update) is refused when it would take the file past the
     * cap; the others (what a handler and the sender write about updates already in) always go, so that what was
     * accepted can be finished.
     */
    synchronized void append(JournalEntry e, boolean capped) throws FullException {
        byte[] body = codec.encode(e);
        if (capped && size + HEADER + body.length > maxBytes) {
            throw new FullException("the journal is full (" + size + " of " + maxBytes + " bytes)");
        }
        CRC32 crc = new CRC32();
        crc.update(body);
        ByteBuffer b = ByteBuffer.allocate(HEADER + body.length);
        b.putInt(body.length).putInt((int) crc.getValue()).put(body).flip();
        try {
            while (b.hasRemaining()) {
                log.write(b, size + b.position());
            }
        } catch (IOException x) {
            throw new UncheckedIOException("cannot write the journal " + dir.resolve(LOG) + ": " + x.getMessage(), x);
        }
        if (entries++ == 0) {
            oldestMillis = System.currentTimeMillis();
        }
        size += HEADER + body.length;
    }

    /** Every whole record, in order (reading stops at a record torn by a crash). */
    synchronized List<JournalEntry> readAll() throws IOException {
        List<JournalEntry> out = new ArrayList<>();
        ByteBuffer all = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 16, log.size()));
        while (all.hasRemaining() && log.read(all, all.position()) > 0) {
            // read to the end
        }
        all.flip();
        while (all.remaining() >= HEADER) {
            int length = all.getInt();
            int crc = all.getInt();
            if (length <= 0 || length > MAX_RECORD || length > all.remaining()) {
                break; // torn tail
            }
            byte[] body = new byte[length];
            all.get(body);
            CRC32 c = new CRC32();
            c.update(body);
            if ((int) c.getValue() != crc) {
                break;
            }
            out.add(codec.decode(body));
        }
        return out;
    }

    /** Empties the journal: everything in it is in the database now. */
    synchronized void truncate() throws IOException {
        log.truncate(0);
        size = 0;
        entries = 0;
        oldestMillis = 0;
    }

    /** Records written since the last {@link #truncate} (not yet in the database). */
    synchronized long depth() {
        return entries;
    }

    /** Wall-clock millis of the oldest record not yet in the database; 0 when none. */
    synchronized long oldestMillis() {
        return oldestMillis;
    }

    synchronized long sizeBytes() {
        return size;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Releases the journal's lock and files (its records stay for whoever replays them). */
    @Override
    public synchronized void close() throws IOException {
        if (!log.isOpen()) {
            return;
        }
        try {
            log.close();
        } finally {
            lock.release();
            lockFile.close();
        }
    }

    /** Closes and removes the journal: for an orphan once it is replayed. */
    synchronized void delete() throws IOException {
        close();
        Files.deleteIfExists(dir.resolve(LOG));
        Files.deleteIfExists(dir.resolve(LOCK));
        Files.deleteIfExists(dir);
    }
}

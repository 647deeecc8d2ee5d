package io.botvisor.supervisor.control;

import io.botvisor.supervisor.SupervisorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * One supervisor per state directory: an exclusive lock on {@code supervisor.lock}, which holds the owner's pid. The
 * kernel drops the lock when the process dies, however it dies, so a stale file never blocks a new supervisor.
 * Holds the lock until {@link #close}.
 */
public final class StateDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private StateDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static Path file(Path stateDir) {
        return stateDir.resolve("supervisor.lock");
    }

    public static StateDirLock acquire(Path stateDir) {
        Path f = file(stateDir);
        try {
            Files.createDirectories(stateDir);
            FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                String pid = readPid(ch);
                ch.close();
                throw new SupervisorException("another supervisor (pid " + pid + ") is running with state dir "
                        + stateDir + "; stop it first ('botvisor ctl --state-dir " + stateDir + " shutdown')");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            return new StateDirLock(ch, l);
        } catch (IOException e) {
            throw new SupervisorException("cannot lock state dir " + stateDir + " (" + f + "): " + e, e);
        }
    }

    /** The pid of the running supervisor, or empty if none holds the lock. Creates nothing. */
    public static OptionalLong holder(Path stateDir) {
        Path f = file(stateDir);
        if (!Files.exists(f)) {
            return OptionalLong.empty();
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                return OptionalLong.of(ProcessHandle.current().pid());
            }
            if (l != null) {
                l.release();
                return OptionalLong.empty();
            }
            String pid = readPid(ch);
            return OptionalLong.of(pid.matches("\\d+") ? Long.parseLong(pid) : -1);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    private static String readPid(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(32);
        ch.read(buf, 0);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}

package io.botvisor.supervisor.process;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * /proc/PID/stat files kept open and re-read in place: one {@code pread} per sample, where opening the file each time
 * costs an open, an fstat, two reads and a close, and the kernel's path walk through /proc (at 200 children a second
 * that was most of the supervisor's sampling CPU: BENCHMARKS.md, issue 9). A kept descriptor belongs to one process:
 * once it is gone the read fails (ESRCH) even if its pid was reused, and the file is then opened afresh, so a sample
 * is never another process's. At most {@link #MAX_OPEN} descriptors are kept; past that a file is opened per read.
 * Not thread-safe: the sampler's thread owns it.
 */
public final class StatFiles implements AutoCloseable {
    /** Most descriptors kept: more than any fleet's processes on one host, few enough for any descriptor limit. */
    static final int MAX_OPEN = 4096;
    private static final File PROC = new File("/proc");
    private final Map<Long, FileChannel> open = new HashMap<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1024);
    private final byte[] bytes = new byte[1024];

    /** The process's state and memory; {@link ProcStats#GONE} when it is gone or cannot be read. */
    public ProcStats.Sample sample(long pid) {
        ProcStats.Stat stat = read(pid);
        return stat == null ? ProcStats.GONE : stat.sample();
    }

    /**
     * A snapshot of every process (see {@link ProcessTable}), read through the kept descriptors; descriptors of
     * processes no longer in /proc are closed.
     */
    public ProcessTable scan() {
        String[] names = PROC.list();
        if (names == null) {
            return ProcessTable.of(Map.of());
        }
        Map<Long, ProcStats.Stat> stats = new HashMap<>(names.length * 2);
        for (String name : names) {
            long pid = pidOf(name);
            if (pid > 0) {
                ProcStats.Stat stat = read(pid);
                if (stat != null) {
                    stats.put(pid, stat);
                }
            }
        }
        for (Iterator<Map.Entry<Long, FileChannel>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, FileChannel> e = it.next();
            if (!stats.containsKey(e.getKey())) {
                closeQuietly(e.getValue());
                it.remove();
            }
        }
        return ProcessTable.of(stats);
    }

    /** How many descriptors are kept now. */
    int openCount() {
        return open.size();
    }

    /** The pids whose descriptors are kept now. */
    Set<Long> openPids() {
        return new HashSet<>(open.keySet());
    }

    private ProcStats.Stat read(long pid) {
        FileChannel kept = open.remove(pid);
        if (kept != null) {
            ProcStats.Stat stat = readFrom(kept);
            if (stat != null) {
                open.put(pid, kept);
                return stat;
            }
            closeQuietly(kept);
            // Gone, or its pid now belongs to a new process: a fresh open tells which.
        }
        FileChannel fresh;
        try {
            fresh = FileChannel.open(Path.of("/proc", Long.toString(pid), "stat"), StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        ProcStats.Stat stat = readFrom(fresh);
        if (stat != null && open.size() < MAX_OPEN) {
            open.put(pid, fresh);
        } else {
            closeQuietly(fresh);
        }
        return stat;
    }

    private ProcStats.Stat readFrom(FileChannel ch) {
        try {
            buffer.clear();
            int n = ch.read(buffer, 0);
            if (n <= 0) {
                return null;
            }
            buffer.flip();
            buffer.get(bytes, 0, n);
            return ProcStats.parse(new String(bytes, 0, n, StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long pidOf(String name) {
        if (name.isEmpty() || name.length() > 18) {
            return -1;
        }
        long pid = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            pid = pid * 10 + (c - '0');
        }
        return pid;
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // A /proc file has nothing to flush; the descriptor is released either way.
        }
    }

    @Override
    public void close() {
        open.values().forEach(StatFiles::closeQuietly);
        open.clear();
    }
}

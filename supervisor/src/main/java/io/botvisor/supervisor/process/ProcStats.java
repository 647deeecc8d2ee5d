package io.botvisor.supervisor.process;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a process's memory from /proc. Stateless; returns -1 when the process is gone or /proc is unreadable. */
public final class ProcStats {
    private static final long PAGE = 4096;

    private ProcStats() {
    }

    /** Resident set size in bytes, from /proc/PID/statm (one short read: cheap enough for every child each second). */
    public static long rssBytes(long pid) {
        try {
            String statm = readSmall(Path.of("/proc", Long.toString(pid), "statm"));
            int a = statm.indexOf(' ') + 1;
            return Long.parseLong(statm, a, statm.indexOf(' ', a), 10) * PAGE;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * A small /proc file in one read, without the buffers and decoding of {@link Files#readString}: the supervisor
     * reads one or two of these per child per second, and at 200 children that difference is its idle CPU.
     */
    static String readSmall(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            byte[] buf = new byte[1024];
            int n = in.readNBytes(buf, 0, buf.length);
            return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        }
    }

    /** Proportional set size in bytes, from /proc/PID/smaps_rollup: shared pages counted once across the fleet. */
    public static long pssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}

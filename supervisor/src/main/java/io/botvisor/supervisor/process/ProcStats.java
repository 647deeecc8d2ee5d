package io.botvisor.supervisor.process;

import java.io.IOException;
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
            String[] f = Files.readString(Path.of("/proc", Long.toString(pid), "statm")).trim().split(" ");
            return Long.parseLong(f[1]) * PAGE;
        } catch (IOException | RuntimeException e) {
            return -1;
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

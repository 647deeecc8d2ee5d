package io.botvisor.supervisor.process;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a process's state and memory from /proc. Stateless. */
public final class ProcStats {
    private static final long PAGE = 4096;
    /** The sample of a process that is gone or whose /proc entry cannot be read. */
    public static final Sample GONE = new Sample('?', -1, -1);
    /**
     * Clock ticks per second of /proc's times (USER_HZ): 100 on every Linux architecture the JDK runs on; the kernel
     * converts to it whatever its own HZ is.
     */
    public static final int TICKS_PER_SECOND = 100;

    private ProcStats() {
    }

    /**
     * One process's scheduler state and resident memory. {@code state} is the letter of /proc/PID/stat ('R', 'S',
     * 'T' for stopped by a signal, 'Z', …); {@code rssBytes} is -1 when unknown; {@code cpuTicks} is the CPU time the
     * process itself used (user + system, without its children), in {@link #TICKS_PER_SECOND}ths, -1 when unknown.
     */
    public record Sample(char state, long rssBytes, long cpuTicks) {
        /** Stopped by SIGSTOP (or SIGTSTP, SIGTTIN, SIGTTOU): it runs no code until SIGCONT. */
        public boolean stopped() {
            return state == 'T';
        }
    }

    /** One /proc/PID/stat line, the fields the supervisor uses. */
    record Stat(long ppid, Sample sample) {
    }

    /**
     * Parses "pid (comm) S ppid … rss …": comm may hold spaces and parentheses, so fields count from the last ')'.
     * Field 3 is the state, 4 the parent, 14 and 15 the user and system time, 24 the resident pages.
     */
    static Stat parse(String stat) {
        int i = stat.lastIndexOf(')') + 2;
        char state = stat.charAt(i);
        int ppidStart = i + 2;
        long ppid = Long.parseLong(stat, ppidStart, stat.indexOf(' ', ppidStart), 10);
        int field = 3;
        long cpuTicks = 0;
        while (field < 24) {
            i = stat.indexOf(' ', i) + 1;
            field++;
            if (field == 14 || field == 15) {
                cpuTicks += Long.parseLong(stat, i, stat.indexOf(' ', i), 10);
            }
        }
        long rssPages = Long.parseLong(stat, i, stat.indexOf(' ', i), 10);
        return new Stat(ppid, new Sample(state, rssPages * PAGE, cpuTicks));
    }

    /**
     * How long the threads of process {@code pid} have waited in a run queue for a CPU, summed over the threads it has
     * now (/proc/PID/task/TID/schedstat, field 2, nanoseconds); -1 when it cannot be read (no such process, or a kernel
     * without schedstats). With the CPU time used it tells a process that works, even one starved of CPU, from one
     * that waits (sleeps on the network): a thread that ended takes its share along, so the sum may fall.
     */
    public static long runQueueWaitNanos(long pid) {
        java.io.File[] tasks = new java.io.File("/proc/" + pid + "/task").listFiles();
        if (tasks == null) {
            return -1;
        }
        long sum = 0;
        boolean any = false;
        for (java.io.File task : tasks) {
            try {
                String line = readSmall(task.toPath().resolve("schedstat"));
                int a = line.indexOf(' ');
                int b = line.indexOf(' ', a + 1);
                if (a > 0 && b > a) {
                    sum += Long.parseLong(line, a + 1, b, 10);
                    any = true;
                }
            } catch (IOException | NumberFormatException e) {
                // the thread ended meanwhile (or the file is unreadable): its share is left out
            }
        }
        return any ? sum : -1;
    }

    /**
     * A small /proc file in one read, without the buffers and decoding of {@link Files#readString} (a scan of 64
     * processes' stat files measured ~1.3 ms that way, ~0.85 ms this way). The supervisor reads these for every child.
     */
    static String readSmall(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            byte[] buf = new byte[1024];
            int n = in.readNBytes(buf, 0, buf.length);
            return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        }
    }
}

package io.botvisor.supervisor.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is whose parent, read from /proc once for the whole fleet. {@link ProcessHandle#descendants()} walks all of
 * /proc on every call, so asking it for each of 200 children every second reads /proc 200 times a second; one table
 * per sampling tick reads it once. Immutable; a snapshot, so a process may be gone by the time it is used
 * ({@link ProcessHandle} checks start times, so a recycled pid is never signalled).
 */
public final class ProcessTable {
    private static final Path PROC = Path.of("/proc");
    private final Map<Long, List<Long>> children;

    private ProcessTable(Map<Long, List<Long>> children) {
        this.children = children;
    }

    /** Reads every /proc/PID/stat; processes that vanish while being read are skipped. */
    public static ProcessTable scan() {
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, ProcessTable::isPid)) {
            for (Path d : dirs) {
                long ppid = parentOf(d);
                if (ppid > 0) {
                    children.computeIfAbsent(ppid, k -> new ArrayList<>(2))
                            .add(Long.parseLong(d.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            return new ProcessTable(Map.of());
        }
        return new ProcessTable(children);
    }

    private static boolean isPid(Path p) {
        String n = p.getFileName().toString();
        for (int i = 0; i < n.length(); i++) {
            if (!Character.isDigit(n.charAt(i))) {
                return false;
            }
        }
        return !n.isEmpty();
    }

    /** Field 4 of /proc/PID/stat; the command name before it is in parentheses and may contain anything. */
    private static long parentOf(Path procDir) {
        try {
            String stat = ProcStats.readSmall(procDir.resolve("stat"));
            int close = stat.lastIndexOf(')');
            // ") S 1234 ..." : state, then the parent pid
            int start = close + 4;
            int end = stat.indexOf(' ', start);
            return Long.parseLong(stat, start, end, 10);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The live descendants of {@code pid} in this snapshot, children first. */
    public List<ProcessHandle> descendantsOf(long pid) {
        List<ProcessHandle> out = new ArrayList<>();
        ArrayDeque<Long> todo = new ArrayDeque<>(children.getOrDefault(pid, List.of()));
        while (!todo.isEmpty()) {
            long p = todo.poll();
            ProcessHandle.of(p).ifPresent(out::add);
            todo.addAll(children.getOrDefault(p, List.of()));
        }
        return out;
    }
}

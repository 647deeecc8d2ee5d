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
    private final Map<Long, ProcStats.Sample> samples;

    private ProcessTable(Map<Long, List<Long>> children, Map<Long, ProcStats.Sample> samples) {
        this.children = children;
        this.samples = samples;
    }

    /**
     * Reads every /proc/PID/stat; processes that vanish while being read are skipped. The same reads give every
     * process's state and memory, so a sampling tick with a scan reads nothing else. (The sampler scans through
     * {@link StatFiles#scan}, which keeps the files open.)
     */
    public static ProcessTable scan() {
        Map<Long, ProcStats.Stat> stats = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, ProcessTable::isPid)) {
            for (Path d : dirs) {
                ProcStats.Stat stat = read(d);
                if (stat != null) {
                    stats.put(Long.parseLong(d.getFileName().toString()), stat);
                }
            }
        } catch (IOException e) {
            return of(Map.of());
        }
        return of(stats);
    }

    /** The table of these processes' stat lines, by pid. */
    static ProcessTable of(Map<Long, ProcStats.Stat> stats) {
        Map<Long, List<Long>> children = new HashMap<>();
        Map<Long, ProcStats.Sample> samples = new HashMap<>(stats.size() * 2);
        stats.forEach((pid, stat) -> {
            samples.put(pid, stat.sample());
            children.computeIfAbsent(stat.ppid(), k -> new ArrayList<>(2)).add(pid);
        });
        return new ProcessTable(children, samples);
    }

    /** The process's state and memory in this snapshot; {@link ProcStats#GONE} when it was not there. */
    public ProcStats.Sample sample(long pid) {
        return samples.getOrDefault(pid, ProcStats.GONE);
    }

    /** Whether the process was there when the snapshot was taken. */
    public boolean contains(long pid) {
        return samples.containsKey(pid);
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

    private static ProcStats.Stat read(Path procDir) {
        try {
            return ProcStats.parse(ProcStats.readSmall(procDir.resolve("stat")));
        } catch (IOException | RuntimeException e) {
            return null;
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

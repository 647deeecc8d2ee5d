package io.botvisor.supervisor.process;

import java.util.ArrayList;
import java.util.List;

/**
 * Signals a process and all its descendants. Descendants must be listed while the root still lives: once it exits
 * they are re-parented and no longer reachable from it, so callers keep the last snapshot ({@link #snapshot}) and
 * signal that too. {@link ProcessHandle} checks the start time, so a recycled pid is never signalled. Stateless.
 */
public final class ProcessTree {
    private ProcessTree() {
    }

    /** The root's live descendants, children first. */
    public static List<ProcessHandle> snapshot(ProcessHandle root) {
        List<ProcessHandle> out = new ArrayList<>();
        root.descendants().forEach(out::add);
        return out;
    }

    /** SIGTERM to the root and every known descendant that is still alive. */
    public static void terminate(ProcessHandle root, List<ProcessHandle> known) {
        List<ProcessHandle> all = union(root, known);
        all.forEach(ProcessHandle::destroy);
    }

    /** SIGKILL to the root and every known descendant that is still alive. */
    public static void kill(ProcessHandle root, List<ProcessHandle> known) {
        List<ProcessHandle> all = union(root, known);
        all.forEach(ProcessHandle::destroyForcibly);
    }

    private static List<ProcessHandle> union(ProcessHandle root, List<ProcessHandle> known) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        if (root.isAlive()) {
            all.addAll(snapshot(root));
        }
        for (ProcessHandle h : known) {
            if (!all.contains(h) && h.isAlive()) {
                all.add(h);
            }
        }
        return all;
    }
}

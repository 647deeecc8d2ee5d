package io.botvisor.supervisor.process;

import java.util.List;

/**
 * A launched child: its process, generation and streams. Tracks the child's descendants (refreshed by
 * {@link #refreshDescendants}) so they can be signalled even after the child itself is gone.
 * Made on the launcher's thread; the sampler thread refreshes its descendants and the child-io thread signals it and
 * rings it, so the snapshot is volatile and every method is safe from any thread.
 */
public final class ChildProcess {
    private final ProcessHandle handle;
    private final long gen;
    private final ChildStreams streams;
    private volatile List<ProcessHandle> descendants = List.of();

    ChildProcess(ProcessHandle handle, long gen, ChildStreams streams) {
        this.handle = handle;
        this.gen = gen;
        this.streams = streams;
    }

    public long pid() {
        return handle.pid();
    }

    public long gen() {
        return gen;
    }

    public ProcessHandle handle() {
        return handle;
    }

    /** Re-reads the descendants from /proc now (before signalling the tree). */
    public void refreshDescendants() {
        if (handle.isAlive()) {
            remember(ProcessTree.snapshot(handle));
        }
    }

    /** Takes the descendants from a fleet-wide snapshot (the periodic refresh). */
    public void refreshDescendants(ProcessTable table) {
        if (table.contains(handle.pid())) {
            remember(table.descendantsOf(handle.pid()));
        }
    }

    private void remember(List<ProcessHandle> now) {
        // An empty list read while the root is dying says nothing; keep what was last seen.
        if (!now.isEmpty() || descendants.isEmpty()) {
            descendants = now;
        }
    }

    /** Tells a bot-runner child that a command waits in its queue (see {@code ChildStreams#ring}). */
    public void ring() {
        streams.ring();
    }

    /** SIGTERM to this child only (a {@code command:} child's first stop signal). */
    public void terminateRoot() {
        handle.destroy();
    }

    public void terminateTree() {
        refreshDescendants();
        ProcessTree.terminate(handle, descendants);
    }

    public void killTree() {
        refreshDescendants();
        ProcessTree.kill(handle, descendants);
    }

    /** After the child exited: whatever it left behind is killed, and its stdin pipe released. */
    public void reapLeftovers() {
        ProcessTree.kill(handle, descendants);
        streams.closeStdin();
    }
}

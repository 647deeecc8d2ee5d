package io.botvisor.supervisor.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real processes: a shell with a child that has a child of its own, and a process with none. */
class ProcessTableTest {

    @Test
    void descendantsOfAProcessIncludeGrandchildrenFromOneScan() throws Exception {
        Process root = new ProcessBuilder("/bin/sh", "-c", "sh -c 'sleep 60 & wait' & sleep 60 & wait").start();
        try {
            List<ProcessHandle> found = List.of();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            // The shells fork asynchronously: poll until all three descendants exist.
            while (found.size() < 3 && System.nanoTime() < deadline) {
                found = ProcessTable.scan().descendantsOf(root.pid());
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertThat(found).hasSize(3);
            assertThat(found).containsExactlyInAnyOrderElementsOf(root.toHandle().descendants().toList());
        } finally {
            root.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            root.destroyForcibly();
        }
    }

    @Test
    void processWithoutChildrenHasNoDescendants() throws Exception {
        Process leaf = new ProcessBuilder("sleep", "60").start();
        try {
            ProcessTable table = ProcessTable.scan();
            // The same snapshot saw the process and its parent link: an empty answer is not a blind scan's.
            assertThat(table.contains(leaf.pid())).isTrue();
            assertThat(table.descendantsOf(ProcessHandle.current().pid())).contains(leaf.toHandle());
            assertThat(table.descendantsOf(leaf.pid())).isEmpty();
        } finally {
            leaf.destroyForcibly();
        }
    }
}

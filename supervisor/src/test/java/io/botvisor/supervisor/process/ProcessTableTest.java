package io.botvisor.supervisor.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real processes: a shell with a child that has a child of its own. */
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
    void unknownPidHasNoDescendants() {
        assertThat(ProcessTable.scan().descendantsOf(Long.MAX_VALUE)).isEmpty();
    }
}

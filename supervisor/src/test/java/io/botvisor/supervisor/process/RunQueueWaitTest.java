package io.botvisor.supervisor.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link ProcStats#runQueueWaitNanos}: read from a real process's threads. */
class RunQueueWaitTest {

    @Test
    void aLiveProcessesRunQueueWaitIsTheSumOverItsThreads() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/schedstat")), "this kernel has no schedstats");
        long pid = ProcessHandle.current().pid();
        long first = ProcStats.runQueueWaitNanos(pid);
        long main = Long.parseLong(Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/schedstat"))
                .split(" ")[1]);
        assertThat(first).as("at least the first thread's own wait").isGreaterThanOrEqualTo(main);
    }

    @Test
    void aGoneProcessHasNoRunQueueWait() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertThat(ProcStats.runQueueWaitNanos(p.pid())).isEqualTo(-1);
    }
}

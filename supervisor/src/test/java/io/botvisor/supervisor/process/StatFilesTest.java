package io.botvisor.supervisor.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real processes, sampled through descriptors that stay open between reads. */
class StatFilesTest {

    @Test
    void keptDescriptorSeesTheProcessChangeBetweenReads() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        try (StatFiles files = new StatFiles()) {
            assertThat(files.sample(p.pid()).stopped()).isFalse();
            assertThat(files.openPids()).contains(p.pid());
            new ProcessBuilder("kill", "-STOP", Long.toString(p.pid())).start().waitFor();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!files.sample(p.pid()).stopped() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
            assertThat(files.sample(p.pid()).stopped()).as("state T read again through the same descriptor").isTrue();
            assertThat(files.sample(p.pid()).rssBytes()).isPositive();
            assertThat(files.openCount()).isEqualTo(1);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void processThatEndedSamplesAsGoneAndItsDescriptorIsClosed() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        try (StatFiles files = new StatFiles()) {
            assertThat(files.sample(p.pid())).isNotEqualTo(ProcStats.GONE);
            p.destroyForcibly().waitFor();
            assertThat(files.sample(p.pid())).isEqualTo(ProcStats.GONE);
            assertThat(files.openPids()).doesNotContain(p.pid());
        }
    }

    @Test
    void scanFindsDescendantsAndDropsDescriptorsOfProcessesNoLongerInProc() throws Exception {
        Process root = new ProcessBuilder("/bin/sh", "-c", "sleep 60 & wait").start();
        try (StatFiles files = new StatFiles()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            ProcessTable table = files.scan();
            // The shell forks asynchronously: scan until its child exists.
            while (table.descendantsOf(root.pid()).isEmpty() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
                table = files.scan();
            }
            assertThat(table.descendantsOf(root.pid())).containsExactlyElementsOf(root.toHandle().descendants().toList());
            assertThat(files.openPids()).contains(root.pid());
            root.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            root.destroyForcibly().waitFor();
            files.scan();
            assertThat(files.openPids()).doesNotContain(root.pid());
        } finally {
            root.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            root.destroyForcibly();
        }
    }
}

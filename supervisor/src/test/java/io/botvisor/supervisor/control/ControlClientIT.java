package io.botvisor.supervisor.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ctl against a state dir whose lock another process holds. */
class ControlClientIT {
    @TempDir
    Path dir;

    @Test
    void lockHeldBeforeItsPidIsWrittenIsAStartingSupervisorNotADeadOne() throws Exception {
        // A supervisor takes the lock, then writes its pid: in between, ctl must wait, not report it dead (exit 3).
        Path program = dir.resolve("Hold.java");
        Files.writeString(program, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Hold {
                    public static void main(String[] a) throws Exception {
                        FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                        ch.lock();
                        System.out.println("locked");
                        Thread.sleep(60_000);
                    }
                }
                """);
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                program.toString(), state.resolve("supervisor.lock").toString()).redirectErrorStream(true).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(6))).isEqualTo("locked");
            assertThat(StateDirLock.holder(state)).as("locked, no pid written yet").isEqualTo(OptionalLong.of(-1));
            ControlClient.Result r = ControlClient.send(state, "status", List.of(), Duration.ofMillis(1500));
            assertThat(r.exitCode()).as(r.output()).isEqualTo(ControlClient.NO_REPLY);
        } finally {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}

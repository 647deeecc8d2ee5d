package io.botvisor.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.ChildExit;
import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeartbeatTaskTest {
    @TempDir
    Path dir;

    @Test
    void heartbeatThatCannotBeWrittenIsReportedOnceAndEndsTheHeartbeats() {
        // A counter name the wire format cannot carry: the queue refuses the heartbeat, not the event after it.
        Message.Heartbeat unwritable = new Message.Heartbeat(3, 1, 0, 0, 0, 0, 1, 0, true, "",
                Map.of("no spaces allowed", 1L), 0);
        ScheduledExecutorService work = Executors.newSingleThreadScheduledExecutor();
        try (IpcQueue queue = IpcQueue.open(dir.resolve("events"))) {
            MessageReader reader = queue.readerFromEnd();
            HeartbeatTask task = new HeartbeatTask("bot-1", 3, () -> unwritable, queue.writer());

            ScheduledFuture<?> beats = task.schedule(work, Duration.ofMillis(10));

            List<Message> seen = new ArrayList<>();
            reader.pollUntil(seen::add, () -> !seen.isEmpty(), Duration.ofSeconds(30));
            assertThat(seen).singleElement().isInstanceOfSatisfying(Message.Event.class, e -> {
                assertThat(e.gen()).isEqualTo(3);
                assertThat(e.kind()).isEqualTo(ChildExit.EVENT_HEARTBEAT_FAILED);
                assertThat(e.detail()).isEqualTo("java.lang.IllegalArgumentException: counter name \"no spaces "
                        + "allowed\" is not valid (expected [A-Za-z0-9_.-]{1,64})");
            });
            assertThat(beats.isCancelled()).isTrue();
        } finally {
            work.shutdownNow();
        }
    }
}

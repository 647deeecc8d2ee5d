package io.botvisor.runner.drill;

import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.MessageReader;
import io.botvisor.ipc.Message;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link AttackBot}'s attempts on queues that are not its own: the peer's events (append), the supervisor's control
 * requests (append) and the peer's commands (read). What it appends is harmless if it gets through, so that a test
 * sees the escape with the supervisor still standing: a READY of generation 0 (no child has it; the supervisor
 * ignores a READY of a generation that is not current) and a {@code status} request. Confined to the attack thread.
 */
final class QueueAttacks {
    /** How long the appended control request stays valid: the supervisor answers it, or skips it once expired. */
    private static final long REQUEST_TTL_MILLIS = 60_000;
    private static final int MAX_READ = 10_000;
    private final Target target;

    QueueAttacks(Target target) {
        this.target = target;
    }

    Outcome appendPeerEvents() {
        Path dir = target.ipc().events(target.peer());
        try (IpcQueue q = IpcQueue.open(dir)) {
            long now = System.currentTimeMillis();
            q.writer().write(new Message.Ready(0, ProcessHandle.current().pid(), 0, now));
            return Outcome.escaped("appended a READY (generation 0) to " + target.show(dir));
        } catch (RuntimeException e) {
            return Outcome.failed(e);
        }
    }

    Outcome appendControlRequest() {
        Path dir = target.ipc().controlRequests();
        try (IpcQueue q = IpcQueue.open(dir)) {
            long now = System.currentTimeMillis();
            q.writer().write(new Message.ControlRequest("attack-" + target.ownId(), "status", List.of(),
                    now + REQUEST_TTL_MILLIS, now));
            return Outcome.escaped("appended a 'status' request (id attack-" + target.ownId() + ") to "
                    + target.show(dir));
        } catch (RuntimeException e) {
            return Outcome.failed(e);
        }
    }

    /** Opening the queue is the escape: whatever the supervisor sends the peer would be ours to read. */
    Outcome readPeerCommands() {
        Path dir = target.ipc().commands(target.peer());
        try (IpcQueue q = IpcQueue.open(dir)) {
            AtomicInteger read = new AtomicInteger();
            q.readerFromStart(MessageReader.TRUSTED_MAX_BYTES).poll(MAX_READ, m -> read.incrementAndGet());
            return Outcome.escaped("opened " + target.show(dir) + " and read " + read.get() + " messages");
        } catch (RuntimeException e) {
            return Outcome.failed(e);
        }
    }
}

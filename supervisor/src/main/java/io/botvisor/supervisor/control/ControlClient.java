package io.botvisor.supervisor.control;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends one control command to the supervisor of a state directory and waits for its reply. Exit codes: the reply's
 * own, 3 when no supervisor is running, 4 when it did not answer in time. Single use, single thread.
 */
public final class ControlClient {
    public static final int NO_SUPERVISOR = 3;
    public static final int NO_REPLY = 4;

    public record Result(int exitCode, String output) {
    }

    private ControlClient() {
    }

    public static Result send(Path stateDir, String command, List<String> args, Duration timeout) {
        OptionalLong pid = StateDirLock.holder(stateDir);
        if (pid.isEmpty()) {
            return new Result(NO_SUPERVISOR, "no supervisor is running with state dir " + stateDir + " (a supervisor "
                    + "started with another one is reached with 'botvisor ctl --state-dir DIR …', DIR as given to "
                    + "its 'botvisor run --state-dir DIR')");
        }
        IpcLayout layout = new IpcLayout(stateDir);
        // Unique on this host, and cheap: UUID.randomUUID() would initialise SecureRandom (~10 ms of every ctl run).
        String id = ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()) + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
        try (IpcQueue replies = IpcQueue.open(layout.controlReplies());
             IpcQueue requests = IpcQueue.open(layout.controlRequests())) {
            // The reply reader exists before the request is written, so the reply cannot be missed.
            MessageReader reader = replies.readerFromEnd(MessageReader.TRUSTED_MAX_BYTES);
            long now = System.currentTimeMillis();
            requests.writer().write(new Message.ControlRequest(id, command, args, now + timeout.toMillis(), now));
            Doorbell.ring(layout.controlDoorbell());
            AtomicReference<Message.ControlReply> got = new AtomicReference<>();
            long[] known = {pid.getAsLong()};
            long[] nextCheck = {System.nanoTime()};
            boolean[] died = {false};
            reader.pollUntil(m -> {
                if (m instanceof Message.ControlReply r && r.id().equals(id)) {
                    got.set(r);
                }
            }, () -> {
                if (got.get() != null) {
                    return true;
                }
                // A supervisor that dies (e.g. failing to start) will never answer: say so instead of waiting it out.
                if (System.nanoTime() - nextCheck[0] >= 0) {
                    nextCheck[0] = System.nanoTime() + 250_000_000L;
                    died[0] = !running(stateDir, known);
                }
                return died[0];
            }, timeout.plusSeconds(1));
            Message.ControlReply r = got.get();
            if (r == null && died[0]) {
                return new Result(NO_SUPERVISOR, "the supervisor (pid " + known[0] + ") exited before it "
                        + "answered '" + command + "'; see its log");
            }
            if (r == null) {
                return new Result(NO_REPLY, "supervisor (pid " + pid.getAsLong() + ") did not answer '" + command
                        + "' within " + timeout.toSeconds() + " s");
            }
            return new Result(r.exitCode(), r.output());
        }
    }

    /**
     * Whether the supervisor is still there. Its pid is written just after it takes the lock, so a lock held with no
     * pid yet (-1) is a supervisor starting, not a dead one: the pid is read again until it is known.
     */
    private static boolean running(Path stateDir, long[] known) {
        if (known[0] <= 0) {
            OptionalLong now = StateDirLock.holder(stateDir);
            if (now.isEmpty()) {
                return false;
            }
            known[0] = now.getAsLong();
            if (known[0] <= 0) {
                return true;
            }
        }
        return ProcessHandle.of(known[0]).map(ProcessHandle::isAlive).orElse(false);
    }
}

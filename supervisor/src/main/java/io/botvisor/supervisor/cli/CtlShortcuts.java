package io.botvisor.supervisor.cli;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageReader;
import io.botvisor.ipc.Units;
import io.botvisor.supervisor.control.ControlClient;
import io.botvisor.supervisor.control.StateDirLock;
import io.botvisor.supervisor.control.StatusSocket;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;

/**
 * The {@code ctl} command lines {@link Main} runs before picocli: a plain {@code ctl status}, the command scripts
 * poll, without picocli, whose model of ctl costs a fresh JVM more than the status call itself (BENCHMARKS.md,
 * benchmark 5), asked on the {@link StatusSocket} (no Chronicle Queue in this JVM) and over the queue when that
 * socket does not answer; and the training run scripts/botvisor records ctl's class-data archive from. A plain status is {@code ctl [--state-dir DIR] [--timeout T] status [--json]
 * [BOT…]}, options before or after the command, each at most once; anything else (help, another command or option, a
 * bad value) goes to picocli, which says what is wrong, so both paths answer alike (CtlShortcutsTest holds them to
 * it). Stateless.
 */
final class CtlShortcuts {
    /** Hidden: {@code ctl --cds-training DIR}, run by scripts/botvisor only. */
    static final String TRAINING = "--cds-training";

    private CtlShortcuts() {
    }

    /** Runs {@code args} when it is one of these and returns its exit code; null when picocli should run it. */
    static Integer run(String[] args) {
        if (args.length == 3 && args[0].equals("ctl") && args[1].equals(TRAINING)) {
            return train(Path.of(args[2]));
        }
        PlainStatus s = plainStatus(args);
        return s == null ? null : s.run(System.out, System.err);
    }

    /** A plain {@code ctl status}: where to send it, how long to wait, and the arguments it sends. */
    record PlainStatus(Path stateDir, Duration timeout, List<String> sent) {
        int run(PrintStream out, PrintStream err) {
            Path dir = stateDir.toAbsolutePath().normalize();
            ControlClient.Result r = StatusSocket.ask(dir, sent);
            if (r == null) {
                r = ControlClient.send(dir, "status", sent, timeout);
            }
            (r.exitCode() == 0 ? out : err).println(r.output().stripTrailing());
            return r.exitCode();
        }
    }

    /** {@code args} as a plain status, or null when it is not one. Defaults as in {@link Ctl}. */
    static PlainStatus plainStatus(String[] args) {
        if (args.length < 2 || !args[0].equals("ctl")) {
            return null;
        }
        String stateDir = null;
        String timeout = null;
        boolean json = false;
        String command = null;
        List<String> bots = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            String value = null;
            String option = a;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                option = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if ((a.equals("--state-dir") || a.equals("--timeout")) && i + 1 < args.length) {
                value = args[++i];
            }
            if (option.equals("--state-dir") && value != null && !value.isEmpty() && stateDir == null) {
                stateDir = value;
            } else if (option.equals("--timeout") && value != null && timeout == null) {
                timeout = value;
            } else if (a.equals("--json") && !json) {
                json = true;
            } else if (a.startsWith("-") || value != null) {
                return null;
            } else if (command == null) {
                command = a;
            } else {
                bots.add(a);
            }
        }
        if (!"status".equals(command)) {
            return null;
        }
        Duration t;
        try {
            t = Units.duration(timeout == null ? "60s" : timeout);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (json) {
            bots.add("--json");
        }
        return new PlainStatus(Path.of(stateDir == null ? "state" : stateDir), t, List.copyOf(bots));
    }

    /**
     * Loads what ctl's commands load, for the class-data archive (scripts/botvisor dumps the classes this run loaded):
     * picocli's model of ctl and of top, Jackson and top's frame, a status round trip through the real client and
     * real queues, answered by a stand-in supervisor on a thread of its own in {@code dir} (a scratch state dir), and
     * one over the status socket.
     */
    static int train(Path dir) {
        new CommandLine(new Ctl()).parseArgs("status");
        TopCommand.commandLine(Map.of()).parseArgs("--once", "--sort", "memory");
        TopSnapshot s = TopSnapshot.parse(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(Map.of(
                "time", "2026-11-30T21:00:00Z", "bots", List.of(Map.of("id", "a", "state", "RUNNING", "pid", 1)))));
        TopRenderer.render(new TopRenderer.Frame(s, Map.of("a", 1.0), Instant.now(), "training"),
                TopRenderer.Sort.CPU, 80, 24, true, ZoneOffset.UTC);
        IpcLayout layout = new IpcLayout(dir);
        AtomicBoolean answered = new AtomicBoolean();
        try (StateDirLock lock = StateDirLock.acquire(dir);
             IpcQueue requests = IpcQueue.open(layout.controlRequests());
             IpcQueue replies = IpcQueue.open(layout.controlReplies())) {
            Thread standIn = new Thread(() -> {
                MessageReader r = requests.readerFromStart(MessageReader.CONTROL_MAX_BYTES);
                r.pollUntil(m -> {
                    if (m instanceof Message.ControlRequest q) {
                        replies.writer().write(new Message.ControlReply(q.id(), 0, "trained", q.timeMillis()));
                        answered.set(true);
                    }
                }, answered::get, Duration.ofSeconds(30));
            }, "training-supervisor");
            standIn.start();
            PlainStatus status = plainStatus(new String[] {"ctl", "--state-dir", dir.toString(), "status", "--json"});
            int code = status == null ? 1 : ControlClient.send(dir, "status", status.sent(), Duration.ofSeconds(30))
                    .exitCode();
            standIn.join();
            StatusSocket socket = StatusSocket.listen(StatusSocket.path(layout),
                    args -> new StatusSocket.Answer(0, "trained " + args), Runnable::run);
            ControlClient.Result viaSocket = socket == null ? null : StatusSocket.ask(dir, List.of("--json"));
            if (socket != null) {
                socket.close();
            }
            return viaSocket == null ? 1 : code;
        } catch (Exception e) {
            System.err.println("botvisor ctl: class-data training failed: " + e);
            return 1;
        }
    }
}

package io.botvisor.supervisor.control;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageReader;
import io.botvisor.ipc.MessageWriter;
import io.botvisor.supervisor.core.ChildState;
import io.botvisor.supervisor.core.Supervisor;
import io.botvisor.supervisor.db.DatabaseKeeper;
import io.botvisor.supervisor.isolation.Walls;
import io.botvisor.supervisor.reload.Reloader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes control commands from {@code botvisor ctl} and answers each with a reply carrying its id and an exit code
 * (0 done, 1 not done in time, 2 bad request). start/stop/restart reply once their bots got where they were sent, or
 * when the request expires. Requests written while the supervisor was starting (its database can take seconds) are
 * answered once it is up: the reader starts at the queue's beginning (a few hours of control traffic at most, the
 * queue's retention) and skips what was written before this supervisor took the state dir — those were meant for an
 * earlier one — and what has expired. Runs on the supervisor's loop thread, once it is constructed.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private final Supervisor supervisor;
    private final IpcQueue requestQueue;
    private final IpcQueue replyQueue;
    private final MessageReader requests;
    private final MessageWriter replies;
    private final List<Pending> pending = new ArrayList<>();
    private final Runnable onShutdown;
    private final Doorbell doorbell;
    private final StatusSocket statusSocket;
    private final DatabaseKeeper database;
    private Reloader reloader;

    private final long startedAtMillis;
    private final StatusSource status;
    private final BotCommandRequests botCommands;

    private record Pending(Message.ControlRequest request, List<String> bots) {
    }

    /**
     * {@code database} may be null (a fleet without database): then nothing is audited and status shows none.
     * {@code startedAtMillis}: when this supervisor took the state dir; older requests are not for it.
     */
    public ControlServer(Supervisor supervisor, IpcLayout layout, Runnable onShutdown, DatabaseKeeper database,
                         Walls walls, long startedAtMillis) {
        this.supervisor = supervisor;
        this.status = new StatusSource(supervisor, database, walls);
        this.database = database;
        this.onShutdown = onShutdown;
        this.startedAtMillis = startedAtMillis;
        this.requestQueue = IpcQueue.open(layout.controlRequests());
        this.replyQueue = IpcQueue.open(layout.controlReplies());
        this.requests = requestQueue.readerFromStart(MessageReader.CONTROL_MAX_BYTES);
        this.replies = replyQueue.writer();
        supervisor.addPollHook(this::poll);
        this.doorbell = Doorbell.listen(layout.controlDoorbell(), () -> supervisor.execute(this::poll));
        this.statusSocket = StatusSocket.listen(StatusSocket.path(layout), this::status, supervisor::execute);
        supervisor.onStateChange(this::checkPending);
        this.botCommands = new BotCommandRequests(supervisor, layout.stateDir(), this::reply,
                (bot, r) -> audit("ctl." + r.command(), bot, r));
        // Jackson builds its serializers at the first status --json (~150 ms measured): here, before the loop runs,
        // rather than on the loop while it answers the first ctl.
        StatusRenderer.json(new StatusSnapshot(0, 0, 0, 0, "", "", null, null, List.of(), null, null));
    }

    private void poll() {
        requests.poll(16, m -> {
            if (m instanceof Message.ControlRequest r) {
                handle(r);
            }
        });
        if (!pending.isEmpty()) {
            checkPending();
        }
    }

    private void handle(Message.ControlRequest r) {
        long now = System.currentTimeMillis();
        if (r.timeMillis() < startedAtMillis) {
            return;
        }
        if (r.expiresAtMillis() < now) {
            log.warn("control: skipped expired request {} '{}' ({} ms old)", r.id(), r.command(), now - r.timeMillis());
            return;
        }
        log.atLevel(r.command().equals("status") ? org.slf4j.event.Level.DEBUG : org.slf4j.event.Level.INFO) // often
                .log("control: {} {} (request {})", r.command(), String.join(" ", r.args()), r.id());
        switch (r.command()) {
            case "status" -> status(r);
            case "start", "stop", "restart" -> act(r);
            case "reload" -> reload(r);
            case "loglevel" -> botCommands.logLevel(r);
            case "dump" -> botCommands.dump(r);
            case "shutdown" -> {
                audit("ctl.shutdown", null, r);
                reply(r, 0, "supervisor shutting down");
                onShutdown.run();
            }
            default -> reply(r, 2, "unknown command '" + r.command() + "' (expected status, start, stop, restart, "
                    + "reload, loglevel, dump, shutdown)");
        }
    }

    /** Reloads are done by {@code reloader} (call before the loop starts); without one, reload is refused. */
    public void reloadWith(Reloader reloader) {
        this.reloader = reloader;
    }

    private void reload(Message.ControlRequest r) {
        List<String> unknown = r.args().stream().filter(a -> !a.equals("--dry-run") && !a.equals("--wait")).toList();
        if (!unknown.isEmpty()) {
            reply(r, 2, "reload: unexpected " + String.join(" ", unknown) + " (expected --dry-run, --wait)");
            return;
        }
        if (reloader == null) {
            reply(r, 1, "reload: this supervisor cannot reload");
            return;
        }
        reloader.request(new Reloader.Request("ctl reload (request " + r.id() + ")", r.id(),
                        r.args().contains("--dry-run"), r.args().contains("--wait"), r.expiresAtMillis()),
                result -> supervisor.execute(() -> reply(r, result.exitCode(), result.output())));
    }

    private void status(Message.ControlRequest r) {
        StatusSocket.Answer a = status(r.args());
        reply(r, a.exitCode(), a.output());
    }

    /**
     * status [--json] [BOT…]: the fleet, or only the bots named, in fleet-file order; an unknown name: exit 2. On the
     * loop, for a request from the queue or from the {@link StatusSocket}.
     */
    private StatusSocket.Answer status(List<String> args) {
        List<String> named = args.stream().filter(a -> !a.startsWith("--")).toList();
        List<String> unknown = named.stream().filter(b -> !supervisor.hasBot(b)).distinct().toList();
        if (!unknown.isEmpty()) {
            return new StatusSocket.Answer(2, unknown.stream().map(b -> "unknown bot '" + b + "'")
                    .collect(Collectors.joining("; ")) + " (known: " + String.join(", ", supervisor.botIds()) + ")");
        }
        StatusSnapshot s = status.capture();
        if (!named.isEmpty()) {
            s = s.withBots(s.bots().stream().filter(b -> named.contains(b.id())).toList());
        }
        return new StatusSocket.Answer(0, args.contains("--json") ? StatusRenderer.json(s) : StatusRenderer.table(s));
    }

    private void act(Message.ControlRequest r) {
        if (supervisor.isShuttingDown()) {
            reply(r, 1, "supervisor is shutting down");
            return;
        }
        boolean cold = r.args().contains("--cold");
        List<String> bots = r.args().contains("--all") ? supervisor.botIds()
                : r.args().stream().filter(a -> !a.equals("--cold")).toList();
        if (bots.isEmpty()) {
            reply(r, 2, r.command() + ": name one or more bots, or --all");
            return;
        }
        List<String> unknown = bots.stream().filter(b -> !supervisor.hasBot(b)).toList();
        if (!unknown.isEmpty()) {
            // Nothing is applied when any name is wrong: a typo must not half-execute a command.
            reply(r, 2, unknown.stream().map(b -> "unknown bot '" + b + "'").collect(Collectors.joining("; "))
                    + " (known: " + String.join(", ", supervisor.botIds()) + ")");
            return;
        }
        String reason = "ctl " + r.command() + " (request " + r.id() + ")";
        bots.forEach(b -> audit("ctl." + r.command(), b, r));
        switch (r.command()) {
            case "stop" -> bots.forEach(b -> supervisor.stopBot(b, reason));
            case "start" -> bots.forEach(supervisor::startBot);
            default -> bots.forEach(b -> supervisor.restartBot(b, reason, cold));
        }
        pending.add(new Pending(r, bots));
        checkPending();
    }

    /**
     * Every executed control action is audited, with the request's id as correlation id (off the loop): before, the
     * state it found; after, where it sends the bot (or the supervisor) — its reply says where they got.
     */
    private void audit(String action, String bot, Message.ControlRequest r) {
        if (database != null) {
            database.audit(action, bot, bot == null ? "{\"supervisor\": \"running\"}"
                            : "{\"state\": \"" + supervisor.state(bot) + "\"}",
                    "{\"" + (bot == null ? "supervisor" : "wanted") + "\": \"" + (bot == null ? "shutting down"
                            : r.command().equals("stop") ? "stopped" : "running") + "\"}", r.id());
        }
    }

    private void checkPending() {
        long now = System.currentTimeMillis();
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            boolean up = !p.request.command().equals("stop");
            List<String> overtaken = p.bots.stream().filter(b -> supervisor.wantedUp(b) != up).toList();
            if (!overtaken.isEmpty()) {
                // A later command sent these bots the other way: this one will not finish, and says so now.
                it.remove();
                reply(p.request, 1, p.request.command() + " of " + String.join(", ", overtaken) + " overtaken: now wanted "
                        + (up ? "stopped" : "running"));
                continue;
            }
            boolean done = p.bots.stream().allMatch(supervisor::settled);
            if (done || now >= p.request.expiresAtMillis()) {
                it.remove();
                boolean restart = p.request.command().equals("restart");
                String states = p.bots.stream().map(b -> b + ": " + supervisor.state(b)
                        + (restart && supervisor.handoverFailure(b) != null ? " (restart by handover failed: "
                        + supervisor.handoverFailure(b) + "; the running process kept serving)" : ""))
                        .collect(Collectors.joining("\n"));
                // start and restart succeed when every bot runs; stop when none does (a FAILED bot is down too).
                boolean failed = !p.request.command().equals("stop")
                        && p.bots.stream().anyMatch(b -> supervisor.state(b) != ChildState.RUNNING
                                || restart && supervisor.handoverFailure(b) != null);
                reply(p.request, done && !failed ? 0 : 1, (done ? "" : p.request.command()
                        + " did not finish before the request timed out\n") + states);
            }
        }
    }

    private void reply(Message.ControlRequest r, int code, String output) {
        replies.write(new Message.ControlReply(r.id(), code, output, System.currentTimeMillis()));
    }

    @Override
    public void close() {
        if (doorbell != null) {
            doorbell.close();
        }
        if (statusSocket != null) {
            statusSocket.close();
        }
        requestQueue.close();
        replyQueue.close();
    }
}

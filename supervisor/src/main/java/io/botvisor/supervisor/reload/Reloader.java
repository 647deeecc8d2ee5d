package io.botvisor.supervisor.reload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.botvisor.ipc.ChildSpec;
import io.botvisor.storage.BotCredentials;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.Threads;
import io.botvisor.supervisor.config.FleetFileReader;
import io.botvisor.supervisor.config.InvalidFleetFileException;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.core.ChildCommands;
import io.botvisor.supervisor.core.ChildState;
import io.botvisor.supervisor.core.Supervisor;
import io.botvisor.supervisor.db.ConnectionBroker;
import io.botvisor.supervisor.db.DatabaseKeeper;
import io.botvisor.supervisor.db.FleetDatabase;
import io.botvisor.supervisor.isolation.Walls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rereads the fleet file and applies the difference to the running fleet ({@code ctl reload}, SIGHUP): the new file
 * is validated whole first — any problem, and nothing changes; then a {@link ReloadPlan}: bots added are given a
 * uid, directories, a database role and queues, and started; bots removed are stopped and forgotten, their roles
 * disabled; bots changed are restarted under their new spec (a change of {@code config:} alone is offered to the
 * running bot first, and restarts it only if it does not take it); bots unchanged are not touched. Fleet-level
 * changes that cannot apply live refuse the whole reload. Every reload that changes something is audited.
 *
 * <p>Threads: reloads run one at a time on this class's own thread (they read files and talk to the database);
 * what they change in the fleet is done on the supervisor's loop. {@link #request} is safe from any thread.
 */
public final class Reloader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reloader.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a running bot may take to say whether it took a new config live before it is restarted instead. */
    static final long RECONFIGURE_TIMEOUT_MILLIS = ChildCommands.DEFAULT_TIMEOUT.toMillis() + 1_000;

    /** What systemd is told (sd_notify RELOADING=1 … READY=1); no-ops without systemd. */
    public interface Notices {
        void reloading();

        void reloaded();

        Notices NONE = new Notices() {
            @Override
            public void reloading() {
            }

            @Override
            public void reloaded() {
            }
        };
    }

    /** The answer to a reload: 0 applied (and, with wait, every bot got there), 1 not done, 2 refused. */
    public record Result(int exitCode, String output) {
    }

    /** Who and what asked (for the log, the audit and the reply's deadline). */
    public record Request(String actor, String correlationId, boolean dryRun, boolean await, long deadlineMillis) {
    }

    /** The database side of a fleet that has one: roles, the budget's broker, the audit, the children's access. */
    public record Database(FleetDatabase database, ConnectionBroker broker, DatabaseKeeper keeper,
                           Map<String, ChildSpec.Db> access) {
    }

    private final Path file;
    private final Map<String, String> env;
    private final Supervisor supervisor;
    private final Walls walls;
    private final Database db;
    private final Reconfigure reconfigure;
    private final Notices notices;
    private final ThreadPoolExecutor thread;
    /** The fleet as last applied; read and replaced on {@link #thread} only. */
    private Specs.Fleet running;

    /** {@code db} null: the fleet runs without a database (then bots added must not need one). */
    public Reloader(Specs.Fleet running, Map<String, String> env, Supervisor supervisor, Walls walls, Database db,
                    Reconfigure reconfigure, Notices notices) {
        this.running = running;
        this.file = running.file();
        this.env = Map.copyOf(env);
        this.supervisor = supervisor;
        this.walls = walls;
        this.db = db;
        this.reconfigure = reconfigure;
        this.notices = notices;
        this.thread = Threads.bounded("reload", 8, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Queues a reload; {@code reply} gets its result on the reload thread. */
    public void request(Request request, Consumer<Result> reply) {
        try {
            thread.execute(() -> {
                Result r;
                try {
                    r = reload(request);
                } catch (RuntimeException e) {
                    log.error("reload failed: {}", e.toString(), e);
                    r = new Result(1, "reload failed: " + e.getMessage());
                }
                log.info("reload ({}): {}", request.actor(), r.output().replace("\n", " | "));
                reply.accept(r);
            });
        } catch (RejectedExecutionException e) {
            reply.accept(new Result(1, "reload not started: too many reloads queued, or the supervisor is stopping"));
        }
    }

    private Result reload(Request request) {
        Specs.Fleet next;
        try {
            next = FleetFileReader.read(file, env);
        } catch (InvalidFleetFileException e) {
            return new Result(2, e.getMessage() + "\nnothing changed: the fleet runs on as it was");
        } catch (SupervisorException e) {
            return new Result(2, "cannot read " + file + ": " + e.getMessage() + "\nnothing changed");
        }
        ReloadPlan plan = ReloadPlan.between(running, next);
        List<String> refused = new ArrayList<>(plan.refused());
        refused.addAll(refusedHere(plan, next));
        if (!refused.isEmpty()) {
            return new Result(2, file + ": cannot reload:\n  " + String.join("\n  ", refused)
                    + "\nnothing changed: the fleet runs on as it was");
        }
        String head = "reload of " + file + (request.dryRun() ? " (dry run: nothing changed)" : "") + ":\n";
        if (request.dryRun() || plan.empty()) {
            return new Result(0, head + plan.describe().stripTrailing());
        }
        if (onLoop(supervisor::isShuttingDown)) {
            return new Result(1, "reload not applied: the supervisor is shutting down");
        }
        List<Specs.Bot> newRunners = newRunners(plan);
        try {
            prepare(next, plan, newRunners, request.correlationId());
        } catch (RuntimeException e) {
            return new Result(1, "reload not applied: " + e.getMessage() + "\nnothing changed");
        }
        notices.reloading();
        List<ReloadPlan.Change> live = plan.changed().stream().filter(ReloadPlan.Change::configOnly).toList();
        Map<String, Boolean> taken = offerConfigs(live);
        CompletableFuture<Void> applied = new CompletableFuture<>();
        supervisor.execute(() -> {
            apply(plan, taken, request.correlationId());
            applied.complete(null);
        });
        await(applied);
        running = next;
        notices.reloaded();
        audit(plan, taken, request);
        String planText = plan.describe(taken).stripTrailing();
        if (!request.await()) {
            return new Result(0, head + planText);
        }
        Result settled = awaitSettled(plan, taken, request.deadlineMillis());
        return new Result(settled.exitCode(), head + planText + "\n" + settled.output());
    }

    /** What this running supervisor cannot do, whatever the file says: a database it did not open, a full budget. */
    private List<String> refusedHere(ReloadPlan plan, Specs.Fleet next) {
        List<String> out = new ArrayList<>();
        int more = newRunners(plan).size();
        if (more == 0 || !next.database().enabled()) {
            return out;
        }
        if (db == null) {
            out.add("bot-runner bots are added, but this supervisor started without a database (its fleet had none "
                    + "or only command: bots); restart the supervisor to give them one");
        } else if (!onLoop(() -> db.broker().hasRoomFor(more))) {
            out.add(more + " bot-runner bots are added, but the connection budget (" + db.database().budget()
                    + ") cannot guarantee one connection to each bot; raise database.maxConnections and restart");
        }
        return out;
    }

    /** Bots that need a database role and queues they lack: added bot-runner bots, or ones no longer command:. */
    private static List<Specs.Bot> newRunners(ReloadPlan plan) {
        List<Specs.Bot> out = new ArrayList<>(plan.added().stream().filter(b -> !b.isCommand()).toList());
        plan.changed().stream().filter(c -> c.before().isCommand() && !c.after().isCommand())
                .forEach(c -> out.add(c.after()));
        return out;
    }

    /** Off the loop: uids and directories, database roles, queues. Throws; what it made is harmless if unused. */
    private void prepare(Specs.Fleet next, ReloadPlan plan, List<Specs.Bot> newRunners, String correlationId) {
        List<Specs.Bot> fresh = new ArrayList<>(plan.added());
        plan.changed().stream().filter(c -> c.before().isCommand() != c.after().isCommand())
                .forEach(c -> fresh.add(c.after()));
        walls.admit(next.bots(), fresh);
        if (db != null && next.database().enabled() && !newRunners.isEmpty()) {
            FleetDatabase d = db.database();
            for (BotCredentials c : d.registerAll(newRunners.stream().map(Specs.Bot::id).toList(), correlationId,
                    ConnectionBroker.GUARANTEED)) {
                db.access().put(c.botName(), new ChildSpec.Db(d.url(), c.role(), d.passwordFile(c.botName()),
                        ConnectionBroker.GUARANTEED));
            }
        }
        supervisor.openQueues(newRunners);
    }

    /** Asks each bot whose config alone changed to take it live; waits a bounded time for the answers. */
    private Map<String, Boolean> offerConfigs(List<ReloadPlan.Change> live) {
        Map<String, CompletableFuture<Boolean>> asked = new java.util.LinkedHashMap<>();
        for (ReloadPlan.Change c : live) {
            boolean up = onLoop(() -> supervisor.hasBot(c.id()) && supervisor.state(c.id()) == ChildState.RUNNING);
            asked.put(c.id(), up ? reconfigure.apply(c.id(), c.after().config())
                    : CompletableFuture.completedFuture(false));
        }
        Map<String, Boolean> out = new java.util.HashMap<>();
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECONFIGURE_TIMEOUT_MILLIS);
        asked.forEach((bot, f) -> {
            boolean yes;
            try {
                yes = f.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                log.warn("bot '{}' did not take its new config live ({}); restarting it", bot, e.toString());
                yes = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                yes = false;
            }
            out.put(bot, yes);
        });
        return out;
    }

    /** On the loop: the plan, all at once, so that no decision sees half of it. */
    private void apply(ReloadPlan plan, Map<String, Boolean> taken, String correlationId) {
        for (Specs.Bot b : plan.added()) {
            if (db != null && !b.isCommand() && db.access().containsKey(b.id())) {
                db.broker().admit(b.id(), db.access().get(b.id()).user());
            }
            supervisor.addBot(b, "reload: added");
        }
        for (ReloadPlan.Change c : plan.changed()) {
            if (db != null && !c.after().isCommand() && db.access().containsKey(c.id())) {
                db.broker().admit(c.id(), db.access().get(c.id()).user());
            }
            boolean live = taken.getOrDefault(c.id(), false);
            supervisor.respec(c.after(), !live, "reload: " + String.join(", ", c.fields()) + " changed");
        }
        for (String id : plan.removed()) {
            supervisor.removeBot(id, "reload: removed from the fleet file", () -> {
                if (db != null && db.access().remove(id) != null) {
                    db.broker().release(id);
                    try {
                        thread.execute(() -> disableRole(id, correlationId));
                    } catch (RejectedExecutionException e) {
                        log.warn("database: role of removed bot '{}' not disabled (stopping); the next start does", id);
                    }
                }
            });
        }
    }

    private void disableRole(String bot, String correlationId) {
        try {
            db.database().disable(bot, correlationId);
            log.info("database: role of bot '{}' disabled (removed from the fleet file; its rows stay)", bot);
        } catch (RuntimeException e) {
            log.warn("database: cannot disable the role of removed bot '{}' ({}); the next start does", bot,
                    e.getMessage());
        }
    }

    private void audit(ReloadPlan plan, Map<String, Boolean> taken, Request request) {
        if (db == null || db.keeper() == null) {
            return;
        }
        ObjectNode detail = JSON.createObjectNode();
        detail.put("actor", request.actor());
        detail.put("file", file.toString());
        plan.added().forEach(b -> detail.withArray("added").add(b.id()));
        plan.removed().forEach(id -> detail.withArray("removed").add(id));
        for (ReloadPlan.Change c : plan.changed()) {
            ObjectNode n = detail.withArray("changed").addObject();
            n.put("bot", c.id());
            c.fields().forEach(f -> n.withArray("fields").add(f));
            n.put("live", taken.getOrDefault(c.id(), false));
        }
        db.keeper().audit("reload", null, detail.toString(), request.correlationId());
    }

    /**
     * With wait: until every bot added or changed got where it is wanted (RUNNING, or down if it was stopped) and
     * every removed one is gone, or the deadline. The lines of each affected bot's state, and whether all made it.
     */
    private Result awaitSettled(ReloadPlan plan, Map<String, Boolean> taken, long deadlineMillis) {
        List<String> up = new ArrayList<>(plan.added().stream().map(Specs.Bot::id).toList());
        plan.changed().stream().filter(c -> !taken.getOrDefault(c.id(), false)).forEach(c -> up.add(c.id()));
        List<String> gone = plan.removed();
        CompletableFuture<Void> settled = new CompletableFuture<>();
        Runnable check = () -> {
            if (up.stream().allMatch(b -> supervisor.hasBot(b) && supervisor.settled(b))
                    && gone.stream().noneMatch(supervisor::hasBot)) {
                settled.complete(null);
            }
        };
        supervisor.execute(() -> {
            supervisor.onStateChange(check);
            check.run();
        });
        boolean inTime;
        try {
            settled.get(Math.max(0, deadlineMillis - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            inTime = true;
        } catch (TimeoutException | ExecutionException e) {
            inTime = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            inTime = false;
        }
        boolean finished = inTime;
        return onLoop(() -> {
            supervisor.removeStateListener(check);
            List<String> lines = new ArrayList<>();
            boolean ok = finished;
            for (String b : up) {
                ChildState s = supervisor.hasBot(b) ? supervisor.state(b) : null;
                lines.add(b + ": " + s);
                ok &= s == ChildState.RUNNING || (s != null && !supervisor.wantedUp(b) && s != ChildState.FAILED);
            }
            for (String b : gone) {
                lines.add(b + ": " + (supervisor.hasBot(b) ? supervisor.state(b) + " (leaving)" : "gone"));
            }
            return new Result(ok ? 0 : 1, (finished ? "" : "not every bot got there before the request timed out\n")
                    + String.join("\n", lines));
        });
    }

    /** {@code what}, computed on the supervisor's loop (its state lives there), waited for here. */
    private <T> T onLoop(Supplier<T> what) {
        CompletableFuture<T> f = new CompletableFuture<>();
        supervisor.execute(() -> {
            try {
                f.complete(what.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return await(f);
    }

    /** The loop answers within milliseconds unless it is gone (the supervisor stopped): then the reload fails. */
    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SupervisorException("interrupted (the supervisor is stopping)", e);
        } catch (ExecutionException e) {
            throw new SupervisorException(e.getCause().toString(), e.getCause());
        } catch (TimeoutException e) {
            throw new SupervisorException("the supervisor's loop did not answer within 30 s", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}

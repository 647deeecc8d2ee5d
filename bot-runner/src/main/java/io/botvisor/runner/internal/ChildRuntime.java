package io.botvisor.runner.internal;

import io.botvisor.ipc.ChildExit;
import io.botvisor.ipc.ChildSpec;
import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageReader;
import io.botvisor.ipc.MessageWriter;
import io.botvisor.runner.Bot;
import io.botvisor.runner.BotConfigException;
import io.botvisor.runner.HandsOver;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one bot in this JVM for the supervisor: opens the bot's queues, starts the bot, says READY, heartbeats from the
 * bot's work thread, obeys STOP and PING (and the operator's commands: {@link OperatorCommands}), stops the bot on
 * SIGTERM, and exits within a second once the supervisor is gone (its end of our stdin closes), whatever the bot is
 * doing. Owns the JVM: it decides the exit code
 * ({@link ChildExit}); a bot that cannot start says why in a {@link ChildExit#EVENT_START_FAILED} event first.
 * <p>Commands travel over the command queue only. The supervisor also writes one byte to our stdin after each
 * command, a doorbell carrying no data: the command queue is read when it rings and otherwise only every
 * {@link #COMMAND_POLL}, so an idle child does not wake 20 times a second to find nothing (200 children do).
 */
public final class ChildRuntime {
    private static final Logger log = LoggerFactory.getLogger(ChildRuntime.class);
    /** How often the command queue is read without a doorbell: the bound on a command's latency if a ring is lost. */
    static final Duration COMMAND_POLL = Duration.ofSeconds(5);
    /** Exit this long after the supervisor vanished, whatever the bot's stop is doing. */
    static final Duration ORPHAN_EXIT = Duration.ofMillis(700);
    /** How long a failed start waits for its queues to report why; opening takes under a second. */
    static final Duration QUEUE_OPEN_DEADLINE = Duration.ofSeconds(10);
    /** Deadline for the bot's stop when the JVM is asked to terminate by a signal. */
    static final Duration SIGNAL_STOP_DEADLINE = Duration.ofSeconds(5);

    private final ChildSpec spec;
    private final Context ctx;
    private final ScheduledExecutorService runtime = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "botvisor-runtime");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Bot bot;
    private volatile MessageWriter events;
    private volatile MessageReader commands;
    private volatile OperatorCommands operator;
    /** Taken before the bot runs: a thread dump goes to the real stdout even if the bot replaced System.out. */
    private final java.io.PrintStream stdout = System.out;

    public ChildRuntime(ChildSpec spec) {
        this.spec = spec;
        this.ctx = new Context(spec);
    }

    /**
     * Runs until the bot is stopped; returns the process exit code: {@link ChildExit#OK} after a stop, or for a start
     * that failed {@link ChildExit#CONFIG_ERROR} or {@link ChildExit#START_FAILED} (see {@link #failedStart}).
     */
    public int run(InputStream supervisorLink) {
        watchForOrphaning(supervisorLink);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop("terminated by signal", SIGNAL_STOP_DEADLINE),
                "botvisor-shutdown"));
        // Opening a queue costs hundreds of milliseconds in a fresh JVM: do it while the bot starts.
        CompletableFuture<Queues> queues = CompletableFuture.supplyAsync(this::openQueues, runtime);
        try {
            bot = BotLoader.load(spec.kind());
            bot.start(ctx);
        } catch (Throwable e) {
            return failedStart(e, queues);
        }
        Queues q = awaitQueues(queues);
        if (q == null) {
            return ChildExit.START_FAILED;
        }
        events = q.events;
        long startup = ManagementFactory.getRuntimeMXBean().getUptime();
        events.write(new Message.Ready(spec.gen(), ProcessHandle.current().pid(), startup, bot instanceof HandsOver,
                System.currentTimeMillis()));
        log.info("bot '{}' ready in {} ms (gen {})", spec.botId(), startup, spec.gen());
        HeartbeatComposer composer = new HeartbeatComposer(spec.gen(), bot, ctx);
        new HeartbeatTask(spec.botId(), spec.gen(), composer::compose, events)
                .schedule(ctx.executor(), spec.heartbeatInterval());
        operator = new OperatorCommands(spec, ctx, bot, events, stdout, stopping::get);
        commands = q.commands;
        runtime.scheduleWithFixedDelay(this::readCommands, 0, COMMAND_POLL.toMillis(), TimeUnit.MILLISECONDS);
        awaitStopped();
        return 0;
    }

    private record Queues(MessageWriter events, MessageReader commands) {
    }

    /**
     * Tells the supervisor why the bot did not start, then returns the exit code: {@link ChildExit#CONFIG_ERROR} for
     * what no restart can cure (a {@link BotConfigException}, also the loader's for a type or class that does not
     * lead to a bot; a class that does not link against its classpath), {@link ChildExit#START_FAILED} for anything
     * else. The event is written once the queues are open (they open while the bot starts) and is visible to the
     * supervisor when the write returns, before the exit. The cause is logged on one line; the stack only for an
     * unexpected failure (the bot's developer needs it), once.
     */
    private int failedStart(Throwable e, CompletableFuture<Queues> queues) {
        if (stopping.compareAndSet(false, true)) {
            // A bot that never started is not stopped: the shutdown hook finds the stop done and reports nothing more.
            ctx.closeDatabase();
            stopped.countDown();
        }
        boolean config = e instanceof BotConfigException
                || e instanceof LinkageError && !(e instanceof ExceptionInInitializerError);
        int code = config ? ChildExit.CONFIG_ERROR : ChildExit.START_FAILED;
        String cause = OneLine.of(e);
        if (config) {
            log.error("bot '{}' failed to start, a configuration error (exit {}): {}", spec.botId(), code, cause);
            log.debug("bot '{}': where the configuration error was found", spec.botId(), e);
        } else {
            log.error("bot '{}' failed to start (exit {}): {}", spec.botId(), code, cause, e);
        }
        Queues q = awaitQueues(queues);
        if (q != null) {
            try {
                q.events.write(new Message.Event(spec.gen(), ChildExit.EVENT_START_FAILED, cause,
                        System.currentTimeMillis()));
            } catch (RuntimeException w) {
                log.error("bot '{}': cannot tell the supervisor why: {}", spec.botId(), w.toString());
            }
        }
        return code;
    }

    /** The queues opened in the background, or null (logged) if they cannot be opened within the deadline. */
    private Queues awaitQueues(CompletableFuture<Queues> queues) {
        try {
            return queues.get(QUEUE_OPEN_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            log.error("bot '{}': cannot open its queues to the supervisor within {} s: {}", spec.botId(),
                    QUEUE_OPEN_DEADLINE.toSeconds(), OneLine.of(cause));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private Queues openQueues() {
        // The command reader starts at the end and is open before READY: every command the supervisor sends after
        // READY is seen, and nothing an earlier incarnation was sent is replayed.
        // The supervisor's queue: read-only (with walls the bot cannot write there, and must not need to).
        MessageReader commands = IpcQueue.openReadOnly(spec.layout().commands(spec.botId()))
                .readerFromEnd(MessageReader.TRUSTED_MAX_BYTES);
        MessageWriter ev = IpcQueue.open(spec.layout().events(spec.botId())).writer();
        return new Queues(ev, commands);
    }

    /** Runs on the runtime thread only (the reader is single-threaded). */
    private void readCommands() {
        MessageReader r = commands;
        if (r != null) {
            while (r.poll(16, this::onCommand) > 0) {
                // drain
            }
        }
    }

    private void onCommand(Message m) {
        long now = System.currentTimeMillis();
        if (m instanceof Message.Stop s && s.gen() == spec.gen()) {
            if (s.expiresAtMillis() < now) {
                log.warn("bot '{}' ignored an expired STOP ({})", spec.botId(), s.reason());
                return;
            }
            stop(s.reason(), Duration.ofMillis(s.deadlineMillis()));
            System.exit(0);
        } else if (m instanceof Message.Handover h && h.gen() == spec.gen()) {
            if (h.expiresAtMillis() < now) {
                log.warn("bot '{}' ignored an expired HANDOVER", spec.botId());
                return;
            }
            handOver(Duration.ofMillis(h.deadlineMillis()));
        } else if (m instanceof Message.Takeover t && t.gen() == spec.gen()) {
            if (t.expiresAtMillis() < now) {
                log.warn("bot '{}' ignored an expired TAKEOVER", spec.botId());
                return;
            }
            takeOver(t.offset(), t.serve());
        } else if (m instanceof Message.PoolGrant g && g.gen() == spec.gen()) {
            ctx.grantConnections(g.maxConnections());
        } else if (m instanceof Message.Ping p && p.gen() == spec.gen() && p.expiresAtMillis() >= now) {
            events.write(new Message.Pong(spec.gen(), p.id(), now));
        } else if (stopping.get()) {
            return; // the operator's commands are for a running bot; the supervisor's deadline answers them
        } else if (m instanceof Message.LogLevel l && l.gen() == spec.gen() && l.expiresAtMillis() >= now) {
            operator.logLevel(l);
        } else if (m instanceof Message.ThreadDump d && d.gen() == spec.gen() && d.expiresAtMillis() >= now) {
            operator.threadDump(d);
        } else if (m instanceof Message.ReloadConfig r && r.gen() == spec.gen() && r.expiresAtMillis() >= now) {
            operator.reloadConfig(r);
        }
    }

    /**
     * The supervisor started a successor and it is READY: stop taking work, tell the supervisor where the successor
     * starts, finish the rest (the bot's stop) and exit 0. A bot that cannot hand over is stopped first and reports
     * offset 0 (the successor starts from what the bot's own records say), so two processes never take the same work.
     */
    private void handOver(Duration deadline) {
        if (stopping.get()) {
            return;
        }
        long end = System.nanoTime() + deadline.toNanos();
        long offset = 0;
        boolean handed = false;
        if (bot instanceof HandsOver h) {
            try {
                offset = h.handOver(deadline.dividedBy(3));
                handed = true;
            } catch (Exception e) {
                log.error("bot '{}': handing over failed ({}); stopping before the successor takes over",
                        spec.botId(), OneLine.of(e), e);
            }
        }
        if (!handed) {
            stop("handing over to its successor", deadline);
        }
        events.write(new Message.HandedOver(spec.gen(), offset, System.currentTimeMillis()));
        log.info("bot '{}' handed over to its successor (offset {})", spec.botId(), offset);
        stop("handed over to its successor", Duration.ofNanos(Math.max(0, end - System.nanoTime())));
        System.exit(ChildExit.OK);
    }

    /** A successor in standby: its predecessor handed over (or is gone); take the work from {@code from}. */
    private void takeOver(long from, boolean serve) {
        if (stopping.get()) {
            return;
        }
        if (!(bot instanceof HandsOver h)) {
            log.warn("bot '{}' was told to take over but cannot hand over; ignored", spec.botId());
            return;
        }
        try {
            h.takeOver(from, serve);
            log.info("bot '{}' took over from offset {}{}", spec.botId(), from, serve ? ", serving" : "");
        } catch (Exception e) {
            log.error("bot '{}': taking over failed: {}; exiting to be restarted", spec.botId(), OneLine.of(e), e);
            emit("takeover-failed", OneLine.of(e));
            stop("taking over failed", SIGNAL_STOP_DEADLINE);
            System.exit(ChildExit.START_FAILED);
        }
    }

    /** Stops the bot once, whoever asks first (STOP, a signal, orphaning); later callers wait for that stop. */
    private void stop(String reason, Duration deadline) {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        log.info("bot '{}' stopping: {} (deadline {} ms)", spec.botId(), reason, deadline.toMillis());
        emit("stopping", reason);
        try {
            if (bot != null) {
                bot.stop(deadline);
            }
            emit("stopped", reason);
            log.info("bot '{}' stopped", spec.botId());
        } catch (Exception e) {
            log.error("bot '{}' failed to stop cleanly: {}", spec.botId(), e.toString(), e);
            emit("stop-failed", e.toString());
        } finally {
            // Connections go back to the server now, not when the JVM dies.
            ctx.closeDatabase();
            stopped.countDown();
        }
    }

    private void emit(String kind, String detail) {
        MessageWriter w = events;
        if (w != null) {
            try {
                w.write(new Message.Event(spec.gen(), kind, detail, System.currentTimeMillis()));
            } catch (RuntimeException e) {
                log.warn("bot '{}' could not report event {}: {}", spec.botId(), kind, e.toString());
            }
        }
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitStopped(Duration deadline) {
        try {
            stopped.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The supervisor holds the write end of our stdin and writes only doorbell bytes; end-of-file means it is gone,
     * even after a {@code kill -9}. Measured ~25 ms to notice, against ~300 ms for polling the parent pid.
     * <p>Once it is gone this thread, and no other, halts the JVM {@link #ORPHAN_EXIT} later at the latest. The bot's
     * stop runs meanwhile on a thread of its own: the runtime thread may already be stuck in a stop (a STOP command
     * runs the bot's stop there), and a stop that hangs must not keep an orphan alive.
     */
    private void watchForOrphaning(InputStream link) {
        Thread t = new Thread(() -> {
            try {
                while (link.read() >= 0) {
                    runtime.execute(this::readCommands); // the doorbell: a command is waiting
                }
            } catch (IOException e) {
                log.debug("supervisor link read failed: {}", e.toString());
            }
            log.warn("bot '{}': supervisor is gone; exiting within {} ms", spec.botId(), ORPHAN_EXIT.toMillis());
            Thread stopper = new Thread(() -> stop("supervisor is gone", ORPHAN_EXIT.dividedBy(2)),
                    "botvisor-orphan-stop");
            stopper.setDaemon(true);
            stopper.start();
            awaitStopped(ORPHAN_EXIT);
            Runtime.getRuntime().halt(0);
        }, "botvisor-orphan-watch");
        t.setDaemon(true);
        t.start();
    }
}

package io.botvisor.supervisor.process;

import io.botvisor.supervisor.Threads;
import io.botvisor.supervisor.config.Specs;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches children off the supervisor's loop: writing a bot's spec and log files and forking block, and Commons Exec
 * forks on a thread of its own that must be waited for. One named thread ("launcher"), a bounded queue; every launch
 * ends in exactly one report, {@code launched} or {@code failed} — whatever went wrong, an {@code IpcException} from a
 * full disk included — and the exit of a launched child is reported only after its launch was. Thread-safe.
 */
public final class AsyncLauncher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AsyncLauncher.class);
    private final ChildLauncher launcher;
    private final ThreadPoolExecutor thread;
    /** Bots whose uid was swept since their last launch (launcher thread only). */
    private final java.util.Set<String> swept = new java.util.HashSet<>();

    /** What one launch reports, each at most once, on the launcher's or Commons Exec's threads. */
    public interface Reports {
        void launched(ChildProcess child);

        void failed(String reason);

        void exited(int code);
    }

    /** {@code capacity}: launches that may wait (a fleet's worth: the start gate bounds what is in flight). */
    public AsyncLauncher(ChildLauncher launcher, int capacity) {
        this.launcher = launcher;
        this.thread = Threads.bounded("launcher", capacity, new ThreadPoolExecutor.AbortPolicy());
    }

    public void launch(Specs.Bot bot, long gen, Reports reports) {
        launch(bot, gen, false, reports);
    }

    /**
     * Launches {@code gen}; {@code standby}: a handover's successor, started while the bot's serving process runs
     * (nothing of the bot's uid is swept first, and the child is told to take no work until it is told to).
     */
    public void launch(Specs.Bot bot, long gen, boolean standby, Reports reports) {
        try {
            thread.execute(() -> run(bot, gen, standby, reports));
        } catch (RejectedExecutionException e) {
            reports.failed("the launcher's queue is full or closed");
        }
    }

    /**
     * Kills what the bot's uid left running (see {@link ChildLauncher#sweep}), on the launcher's thread, so it is done
     * before the bot's next launch and can never hit a child launched after it. Call when a child is gone.
     */
    public void sweep(String botId) {
        try {
            thread.execute(() -> {
                launcher.sweep(botId);
                swept.add(botId);
            });
        } catch (RejectedExecutionException e) {
            // Closed (shutting down) or full: the next launch sweeps first.
        }
    }

    private void run(Specs.Bot bot, long gen, boolean standby, Reports reports) {
        if (standby) {
            // The bot's serving process runs under the same uid: nothing may be swept.
        } else if (swept.remove(bot.id())) {
            // Swept when its last child went: nothing of its uid can have started since.
        } else {
            launcher.sweepLeftovers(bot.id()); // the first launch since start: what an earlier supervisor's bot left
        }
        CompletableFuture<Void> announced = new CompletableFuture<>();
        IntConsumer onExit = code -> announced.thenRun(() -> reports.exited(code));
        ChildProcess child;
        try {
            child = launcher.launch(bot, gen, standby, onExit);
        } catch (RuntimeException e) {
            log.debug("bot '{}': launch of gen {} failed", bot.id(), gen, e);
            reports.failed(e.getMessage() == null ? e.toString() : e.getMessage());
            return;
        }
        reports.launched(child);
        announced.complete(null);
    }

    /**
     * Runs {@code task} on the launcher's thread after every launch asked for before it and before every launch asked
     * for after it: work that must be done between two launches of a bot. The task reports its own outcome. Returns
     * false, without running it, when the launcher is closed or its queue is full.
     */
    public boolean inOrder(Runnable task) {
        try {
            thread.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}

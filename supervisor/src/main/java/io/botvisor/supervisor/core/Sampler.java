package io.botvisor.supervisor.core;

import io.botvisor.supervisor.Threads;
import io.botvisor.supervisor.process.ChildProcess;
import io.botvisor.supervisor.process.ProcStats;
import io.botvisor.supervisor.process.ProcessTable;
import io.botvisor.supervisor.process.StatFiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads /proc for every child once a second on its own thread ("proc-sampler"), never on the loop: each child's state
 * and memory (and a starting child's demand for CPU: see {@link Result}), and every {@link #DESCENDANTS_EVERY} samples
 * a fresh snapshot of every child's descendants (one /proc scan for the fleet). The loop publishes the children to
 * sample ({@link #watch}); one batch of results goes back per round, dropped if the loop's inbox is full (the next
 * second brings another). Thread-safe.
 */
final class Sampler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sampler.class);
    static final Duration PERIOD = Duration.ofSeconds(1);
    static final int DESCENDANTS_EVERY = 2;

    /** One child to sample: whose, which incarnation, and whether it is starting (no READY yet). */
    record Watched(String bot, long gen, ChildProcess child, boolean starting) {
    }

    /**
     * One child's sample; {@code cpuTicks} as {@link ProcStats.Sample#cpuTicks()}; {@code demandTicks}, of a starting
     * child only (else -1): its CPU time plus its threads' time waiting in a run queue
     * ({@link ProcStats#runQueueWaitNanos}), in ticks, -1 when unknown.
     */
    record Result(String bot, long gen, long rssBytes, boolean stopped, long cpuTicks, long demandTicks) {
    }

    private final ScheduledExecutorService thread = Threads.periodic("proc-sampler");
    /** The sampler thread's own: closed by {@link #close} only once that thread has ended. */
    private final StatFiles files = new StatFiles();
    private volatile List<Watched> watched = List.of();
    private long rounds;

    /** {@code deliver} gets each round's results (it hands them to the loop). */
    void start(Consumer<List<Result>> deliver) {
        thread.scheduleWithFixedDelay(() -> {
            try {
                deliver.accept(sample());
            } catch (RuntimeException e) {
                // The next round is the retry; a /proc read that fails once says nothing about the next.
                log.warn("sampling /proc failed: {}", e.toString());
            }
        }, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The children to sample from now on (the loop calls this whenever a child starts or ends). */
    void watch(List<Watched> children) {
        watched = List.copyOf(children);
    }

    private List<Result> sample() {
        List<Watched> now = watched;
        ProcessTable table = rounds++ % DESCENDANTS_EVERY == 0 && !now.isEmpty() ? files.scan() : null;
        List<Result> out = new ArrayList<>(now.size());
        for (Watched w : now) {
            if (table != null) {
                w.child().refreshDescendants(table);
            }
            ProcStats.Sample s = table != null ? table.sample(w.child().pid()) : files.sample(w.child().pid());
            long demand = -1;
            if (w.starting() && s.cpuTicks() >= 0) {
                long waited = ProcStats.runQueueWaitNanos(w.child().pid());
                demand = waited < 0 ? -1 : s.cpuTicks() + waited / (1_000_000_000L / ProcStats.TICKS_PER_SECOND);
            }
            out.add(new Result(w.bot(), w.gen(), s.rssBytes(), s.stopped(), s.cpuTicks(), demand));
        }
        return out;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("proc-sampler did not end within 5 s; its /proc descriptors are left to the exit");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        files.close();
    }
}

package io.botvisor.runner.internal;

import io.botvisor.ipc.Message;
import io.botvisor.runner.Bot;
import io.botvisor.runner.SelfCheck;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Builds a heartbeat from the JVM's own figures and the bot's self-check; a self-check that throws is reported as
 * failing (see {@link HeartbeatTask} for what does end the heartbeats). Used from the bot's work thread only.
 */
final class HeartbeatComposer {
    private final long gen;
    private final Bot bot;
    private final Context ctx;
    private final List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    // Looked up once: ManagementFactory's getters walk the platform components with streams on every call.
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final LongSupplier cpuNanos;
    private long seq;

    HeartbeatComposer(long gen, Bot bot, Context ctx) {
        this.gen = gen;
        this.bot = bot;
        this.ctx = ctx;
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        this.cpuNanos = os instanceof com.sun.management.OperatingSystemMXBean sun
                ? sun::getProcessCpuTime : () -> -1;
    }

    Message.Heartbeat compose() {
        MemoryUsage heap = memory.getHeapMemoryUsage();
        long gcTime = 0;
        long gcCount = 0;
        for (GarbageCollectorMXBean gc : gcs) {
            gcTime += Math.max(0, gc.getCollectionTime());
            gcCount += Math.max(0, gc.getCollectionCount());
        }
        SelfCheck check;
        try {
            check = bot.selfCheck();
        } catch (Throwable e) {
            // Whatever it throws (an Error too: a missing class, a stack overflow), the bot is unhealthy, not hung:
            // the heartbeat goes on and says so.
            check = SelfCheck.failing("selfCheck threw " + OneLine.of(e));
        }
        if (check == null) {
            check = SelfCheck.failing("selfCheck returned null");
        }
        long cpu = cpuNanos.getAsLong();
        return new Message.Heartbeat(gen, ++seq, heap.getUsed(), heap.getMax(), gcTime, gcCount,
                threads.getThreadCount(), cpu < 0 ? -1 : cpu / 1_000_000, check.healthy(),
                check.detail() == null ? "" : check.detail(), ctx.counterSnapshot(), System.currentTimeMillis());
    }
}

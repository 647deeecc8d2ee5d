package io.botvisor.runner.internal;

import java.lang.management.LockInfo;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;

/**
 * A thread dump of this JVM in the form jstack prints (threads, states, stacks, held and awaited locks, deadlocks),
 * taken through {@link ThreadMXBean}, so that it needs no attach mechanism and no tool in the bot's environment.
 * Bounded: at most {@link #MAX_FRAMES} frames a thread and {@link #MAX_CHARS} characters in all (a bot may have
 * thousands of threads). Stateless and thread-safe.
 */
final class ThreadDumps {
    static final int MAX_FRAMES = 64;
    static final int MAX_CHARS = 1 << 20;

    private ThreadDumps() {
    }

    /** The dump, its first line {@code header}. */
    static String take(ThreadMXBean mx, String header) {
        ThreadInfo[] infos = mx.dumpAllThreads(mx.isObjectMonitorUsageSupported(), mx.isSynchronizerUsageSupported(),
                MAX_FRAMES);
        Arrays.sort(infos, Comparator.comparingLong(ThreadInfo::getThreadId));
        StringBuilder sb = new StringBuilder(8192);
        sb.append(header).append(" at ").append(Instant.now()).append(", ").append(infos.length).append(" threads\n\n");
        int shown = 0;
        for (ThreadInfo t : infos) {
            if (sb.length() > MAX_CHARS) {
                sb.append("… ").append(infos.length - shown).append(" more threads not shown (the dump is cut at ")
                        .append(MAX_CHARS).append(" characters)\n\n");
                break;
            }
            thread(sb, t);
            shown++;
        }
        long[] deadlocked = mx.isSynchronizerUsageSupported() ? mx.findDeadlockedThreads()
                : mx.findMonitorDeadlockedThreads();
        if (deadlocked != null) {
            sb.append("Deadlock: threads");
            for (long id : deadlocked) {
                sb.append(" #").append(id);
            }
            sb.append(" wait for each other\n");
        }
        return sb.toString();
    }

    private static void thread(StringBuilder sb, ThreadInfo t) {
        sb.append('"').append(t.getThreadName()).append("\" #").append(t.getThreadId())
                .append(t.isDaemon() ? " daemon" : "").append(" prio=").append(t.getPriority()).append(' ')
                .append(t.getThreadState());
        if (t.isInNative()) {
            sb.append(" (in native)");
        }
        if (t.isSuspended()) {
            sb.append(" (suspended)");
        }
        sb.append('\n');
        StackTraceElement[] stack = t.getStackTrace();
        MonitorInfo[] monitors = t.getLockedMonitors();
        for (int i = 0; i < stack.length; i++) {
            sb.append("    at ").append(stack[i]).append('\n');
            if (i == 0 && t.getLockInfo() != null) {
                sb.append("    - ").append(awaiting(t)).append(' ').append(lock(t.getLockInfo()));
                if (t.getLockOwnerName() != null) {
                    sb.append(" owned by \"").append(t.getLockOwnerName()).append("\" #").append(t.getLockOwnerId());
                }
                sb.append('\n');
            }
            for (MonitorInfo m : monitors) {
                if (m.getLockedStackDepth() == i) {
                    sb.append("    - locked ").append(lock(m)).append('\n');
                }
            }
        }
        if (stack.length == MAX_FRAMES) {
            sb.append("    … (stack cut at ").append(MAX_FRAMES).append(" frames)\n");
        }
        LockInfo[] synchronizers = t.getLockedSynchronizers();
        if (synchronizers.length > 0) {
            sb.append("    Locked synchronizers:\n");
            for (LockInfo l : synchronizers) {
                sb.append("    - ").append(lock(l)).append('\n');
            }
        }
        sb.append('\n');
    }

    private static String awaiting(ThreadInfo t) {
        return switch (t.getThreadState()) {
            case BLOCKED -> "waiting to lock";
            case WAITING, TIMED_WAITING -> "waiting on";
            default -> "on";
        };
    }

    private static String lock(LockInfo l) {
        return "<0x" + Integer.toHexString(l.getIdentityHashCode()) + "> (a " + l.getClassName() + ")";
    }
}

package io.botvisor.supervisor.core;

import io.botvisor.ipc.Message;
import io.botvisor.ipc.Printable;
import io.botvisor.ipc.Units;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.policy.HealthScorer;
import java.time.Duration;

/**
 * Turns heartbeats and /proc samples into an incarnation's {@link Health}, and says when a running bot must be ended
 * for a hang, its memory or its health. Pure functions; {@link Table} calls them and decides what follows.
 */
final class HealthTracker {
    /** Samples (one a second) in a row that must find a child stopped by a signal before it is killed. */
    static final int STOPPED_SAMPLES = 2;

    private HealthTracker() {
    }

    /** What a sample concluded: the new health, and why the bot must be ended (null: it need not), as a cause. */
    record Verdict(Health health, String endFor, boolean kill, ExitCause cause) {
        Verdict(Health health, String endFor, boolean kill) {
            this(health, endFor, kill, null);
        }
    }

    static Health onHeartbeat(Health was, Message.Heartbeat h, long nowNanos) {
        Message.Heartbeat prev = was.lastHeartbeat();
        double errorsPerMinute = was.errorsPerMinute();
        double gcFraction = was.gcFraction();
        if (prev != null && h.timeMillis() > prev.timeMillis()) {
            double wallMs = h.timeMillis() - prev.timeMillis();
            long errors = h.counters().getOrDefault("errors", 0L) - prev.counters().getOrDefault("errors", 0L);
            errorsPerMinute = Math.max(0, errors) * 60_000.0 / wallMs;
            gcFraction = Math.max(0, h.gcTimeMillis() - prev.gcTimeMillis()) / wallMs;
        }
        return was.withHeartbeat(h, nowNanos, errorsPerMinute, gcFraction);
    }

    /**
     * A RUNNING incarnation's /proc sample: stopped by a signal in {@link #STOPPED_SAMPLES} samples in a row (a hang
     * known sooner than the heartbeat timeout: kill), resident memory above memoryLimit, or a health score below
     * minScore for unhealthyFor (both: graceful restart).
     */
    static Verdict sample(Specs.Bot spec, Health was, long rssBytes, boolean stopped, int restartsInWindow,
                          long nowNanos) {
        int stoppedSamples = stopped && !spec.isCommand() ? was.stoppedSamples() + 1 : 0;
        Health h = was.withSample(rssBytes, stoppedSamples);
        if (stoppedSamples >= STOPPED_SAMPLES) {
            return new Verdict(h, "stopped by a signal (state T) in " + stoppedSamples + " samples in a row", true,
                    ExitCause.STOPPED_BY_SIGNAL);
        }
        if (spec.memoryLimit() > 0 && rssBytes > spec.memoryLimit()) {
            return new Verdict(h, "resident memory " + (rssBytes >> 20) + " MB is above memoryLimit "
                    + (spec.memoryLimit() >> 20) + " MB", false, ExitCause.MEMORY);
        }
        if (spec.isCommand()) {
            // A command: bot has no heartbeat to score; running counts as healthy (for the backoff's reset rule).
            return new Verdict(h.withScore(-1, java.util.List.of(), -1,
                    h.healthySinceNanos() < 0 ? nowNanos : h.healthySinceNanos()), null, false);
        }
        Message.Heartbeat last = h.lastHeartbeat();
        if (last == null) {
            return new Verdict(h, null, false);
        }
        Specs.Health hs = spec.health();
        HealthScorer.Score score = HealthScorer.score(new HealthScorer.Inputs(
                Duration.ofNanos(nowNanos - h.lastHeartbeatNanos()), hs.heartbeatInterval(), hs.heartbeatTimeout(),
                last.selfCheckOk(), h.errorsPerMinute(), last.heapUsed(), last.heapMax(), h.gcFraction(),
                restartsInWindow));
        if (score.value() >= hs.minScore()) {
            long healthySince = h.healthySinceNanos() < 0 ? nowNanos : h.healthySinceNanos();
            return new Verdict(h.withScore(score.value(), score.reasons(), -1, healthySince), null, false);
        }
        long unhealthySince = h.unhealthySinceNanos() < 0 ? nowNanos : h.unhealthySinceNanos();
        Health scored = h.withScore(score.value(), score.reasons(), unhealthySince, -1);
        Duration low = Duration.ofNanos(nowNanos - unhealthySince);
        if (low.compareTo(hs.unhealthyFor()) >= 0) {
            return new Verdict(scored, "health score " + score.value() + " below " + hs.minScore() + " for "
                    + Units.seconds(low) + ": " + String.join(", ", score.reasons())
                    + (last.selfCheckDetail().isEmpty() ? "" : " (" + Printable.oneLine(last.selfCheckDetail()) + ")"),
                    false, ExitCause.UNHEALTHY);
        }
        return new Verdict(scored, null, false);
    }

    /**
     * What a bot's history says when a sample took its health score below minScore (and why), or back to it; null
     * when it stayed on the same side.
     */
    static String change(Specs.Bot spec, Health was, Health now) {
        boolean wasLow = was.unhealthySinceNanos() >= 0;
        boolean low = now.unhealthySinceNanos() >= 0;
        int min = spec.health().minScore();
        if (low && !wasLow) {
            return "health score " + now.score() + " fell below " + min + ": " + String.join(", ", now.reasons())
                    + "; restarted if it stays below for " + Units.seconds(spec.health().unhealthyFor());
        }
        if (wasLow && !low && now.score() >= 0) {
            return "health score " + now.score() + " is back at or above " + min;
        }
        return null;
    }

    /** The heartbeat deadline of a RUNNING bot-runner incarnation; the age when it has passed, else null. */
    static Duration overdue(Specs.Bot spec, Health h, long nowNanos) {
        Duration age = Duration.ofNanos(nowNanos - h.lastHeartbeatNanos());
        return age.compareTo(spec.health().heartbeatTimeout()) > 0 ? age : null;
    }
}

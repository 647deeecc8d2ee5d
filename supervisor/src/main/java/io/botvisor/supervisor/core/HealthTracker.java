package io.botvisor.supervisor.core;

import io.botvisor.ipc.Message;
import io.botvisor.ipc.Units;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.policy.HealthScorer;
import io.botvisor.supervisor.process.ProcStats;
import java.time.Duration;

/**
 * Turns heartbeats and /proc samples into a bot's health score, and says when a running bot must be restarted for
 * memory or health. Also applies the "healthy for resetAfter → backoff starts over" rule. Stateless: the state is in
 * the {@link BotSlot}; loop thread only.
 */
final class HealthTracker {
    private HealthTracker() {
    }

    static void onHeartbeat(BotSlot s, Message.Heartbeat h, long nowNanos) {
        Message.Heartbeat prev = s.lastHeartbeat;
        if (prev != null && h.timeMillis() > prev.timeMillis()) {
            double wallMs = h.timeMillis() - prev.timeMillis();
            long errors = h.counters().getOrDefault("errors", 0L) - prev.counters().getOrDefault("errors", 0L);
            s.errorsPerMinute = Math.max(0, errors) * 60_000.0 / wallMs;
            s.gcFraction = Math.max(0, h.gcTimeMillis() - prev.gcTimeMillis()) / wallMs;
        }
        s.lastHeartbeat = h;
        s.lastHeartbeatNanos = nowNanos;
    }

    /** Takes a /proc sample's memory and scores health; returns why the bot must be restarted, or null. */
    static String sample(BotSlot s, ProcStats.Sample proc, long nowNanos) {
        Specs.Bot spec = s.spec;
        s.rssBytes = proc.rssBytes();
        if (spec.memoryLimit() > 0 && s.rssBytes > spec.memoryLimit() && s.state == ChildState.RUNNING) {
            return "resident memory " + (s.rssBytes >> 20) + " MB is above memoryLimit " + (spec.memoryLimit() >> 20)
                    + " MB";
        }
        if (s.state != ChildState.RUNNING) {
            return null;
        }
        boolean healthy;
        if (spec.isCommand()) {
            healthy = true;
        } else {
            if (s.lastHeartbeat == null) {
                return null;
            }
            Message.Heartbeat h = s.lastHeartbeat;
            Specs.Health hs = spec.health();
            HealthScorer.Score score = HealthScorer.score(new HealthScorer.Inputs(
                    Duration.ofNanos(nowNanos - s.lastHeartbeatNanos), hs.heartbeatInterval(), hs.heartbeatTimeout(),
                    h.selfCheckOk(), s.errorsPerMinute, h.heapUsed(), h.heapMax(), s.gcFraction,
                    s.intensity.inWindow(nowNanos)));
            s.health = score.value();
            s.healthReasons = score.reasons();
            healthy = score.value() >= hs.minScore();
            if (!healthy) {
                if (s.unhealthySinceNanos < 0) {
                    s.unhealthySinceNanos = nowNanos;
                }
                Duration low = Duration.ofNanos(nowNanos - s.unhealthySinceNanos);
                if (low.compareTo(hs.unhealthyFor()) >= 0) {
                    return "health score " + score.value() + " below " + hs.minScore() + " for " + Units.seconds(low)
                            + ": " + String.join(", ", score.reasons())
                            + (h.selfCheckDetail().isEmpty() ? "" : " (" + h.selfCheckDetail() + ")");
                }
            } else {
                s.unhealthySinceNanos = -1;
            }
        }
        if (healthy) {
            if (s.healthySinceNanos < 0) {
                s.healthySinceNanos = nowNanos;
            }
            s.backoff.resetIfStable(Duration.ofNanos(nowNanos - s.healthySinceNanos));
        } else {
            s.healthySinceNanos = -1;
        }
        return null;
    }
}

package io.botvisor.supervisor.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores a running bot's health from 0 to 100; the formula is documented in the README and is this code:
 * <pre>
 * 100
 *  − heartbeat lateness: 0 up to 1.5 × interval, then linear to 40 at the heartbeat timeout
 *  − 60 while the bot's own self-check fails
 *  − error rate: 1 per error a minute (counter "errors"), at most 15
 *  − heap pressure: 0 below 80 % of max heap, linear to 10 at 100 %
 *  − GC time: 50 × the fraction of wall time spent in GC since the previous heartbeat, at most 10
 *  − recent restarts: 5 per restart in the intensity window, at most 15
 * clamped to 0..100
 * </pre>
 * With the default {@code minScore} of 50 a failing self-check alone, or a combination of the others, brings the
 * score low enough to restart the bot once it stays there for {@code unhealthyFor}. Stateless and thread-safe.
 */
public final class HealthScorer {

    /** One heartbeat's worth of evidence. {@code gcFraction} is 0..1; negative values mean "unknown". */
    public record Inputs(Duration heartbeatAge, Duration heartbeatInterval, Duration heartbeatTimeout,
                         boolean selfCheckOk, double errorsPerMinute, long heapUsed, long heapMax,
                         double gcFraction, int restartsInWindow) {
    }

    /** The score and, for every point taken off, why. */
    public record Score(int value, List<String> reasons) {
        public Score {
            reasons = List.copyOf(reasons);
        }
    }

    private HealthScorer() {
    }

    public static Score score(Inputs in) {
        List<String> reasons = new ArrayList<>();
        double penalty = 0;
        double grace = in.heartbeatInterval().toNanos() * 1.5;
        double age = in.heartbeatAge().toNanos();
        if (age > grace) {
            double span = Math.max(1, in.heartbeatTimeout().toNanos() - grace);
            double p = Math.min(40, 40 * (age - grace) / span);
            penalty += p;
            reasons.add(String.format(java.util.Locale.ROOT, "heartbeat %d ms old (-%.0f)",
                    in.heartbeatAge().toMillis(), p));
        }
        if (!in.selfCheckOk()) {
            penalty += 60;
            reasons.add("self-check failing (-60)");
        }
        if (in.errorsPerMinute() > 0) {
            double p = Math.min(15, in.errorsPerMinute());
            penalty += p;
            reasons.add(String.format(java.util.Locale.ROOT, "%.1f errors/min (-%.0f)", in.errorsPerMinute(), p));
        }
        if (in.heapMax() > 0) {
            double ratio = (double) in.heapUsed() / in.heapMax();
            if (ratio > 0.8) {
                double p = Math.min(10, (ratio - 0.8) / 0.2 * 10);
                penalty += p;
                reasons.add(String.format(java.util.Locale.ROOT, "heap %.0f%% of max (-%.0f)", ratio * 100, p));
            }
        }
        if (in.gcFraction() > 0) {
            double p = Math.min(10, in.gcFraction() * 50);
            penalty += p;
            reasons.add(String.format(java.util.Locale.ROOT, "%.0f%% time in GC (-%.0f)", in.gcFraction() * 100, p));
        }
        if (in.restartsInWindow() > 0) {
            int p = Math.min(15, 5 * in.restartsInWindow());
            penalty += p;
            reasons.add(in.restartsInWindow() + " recent restart(s) (-" + p + ")");
        }
        int value = (int) Math.max(0, Math.min(100, Math.round(100 - penalty)));
        return new Score(value, reasons);
    }
}

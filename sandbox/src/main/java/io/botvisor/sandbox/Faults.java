package io.botvisor.sandbox;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * The active fault rules and the seeded random source the fraction rules draw from: the same seed and the same
 * calls give the same faults. The first matching rule wins. Thread-safe (one lock).
 */
final class Faults {

    private final List<Active> rules = new ArrayList<>();
    private final Random random;

    Faults(long seed) {
        this.random = new Random(seed);
    }

    synchronized void add(FaultRule rule) {
        rules.add(new Active(rule, rule.times()));
    }

    synchronized void clear() {
        rules.clear();
    }

    synchronized List<FaultRule> active() {
        List<FaultRule> out = new ArrayList<>();
        for (Active a : rules) {
            out.add(a.rule.times() > 0 ? new FaultRule(a.rule.botId(), a.rule.method(), a.rule.fault(), a.left, 0)
                    : a.rule);
        }
        return out;
    }

    /** The fault for this call, or null; a counted rule used up is removed. */
    synchronized Fault pick(long botId, String method) {
        for (Iterator<Active> it = rules.iterator(); it.hasNext(); ) {
            Active a = it.next();
            if (!a.rule.matches(botId, method)) {
                continue;
            }
            if (a.rule.times() > 0) {
                if (--a.left == 0) {
                    it.remove();
                }
                return a.rule.fault();
            }
            if (random.nextDouble() < a.rule.fraction()) {
                return a.rule.fault();
            }
        }
        return null;
    }

    private static final class Active {
        final FaultRule rule;
        int left;

        Active(FaultRule rule, int left) {
            this.rule = rule;
            this.left = left;
        }
    }
}

package io.botvisor.sandbox;

/**
 * Which calls get a {@link Fault}: those of one bot (or all: {@code botId} 0), of one method (or all: null), either the
 * next {@code times} matching calls, or each matching call with probability {@code fraction} (drawn from the server's
 * seeded random source, so a run reproduces). Immutable; build with {@link #next(int, Fault)} or
 * {@link #fraction(double, Fault)} and narrow with {@link #forBot(long)} and {@link #forMethod(String)}.
 */
public record FaultRule(long botId, String method, Fault fault, int times, double fraction) {

    public FaultRule {
        if (times < 0) {
            throw new IllegalArgumentException("fault rule: times " + times + " is negative");
        }
        if (fraction < 0 || fraction > 1) {
            throw new IllegalArgumentException("fault rule: fraction " + fraction + " is not within 0..1");
        }
        if (times == 0 && fraction == 0) {
            throw new IllegalArgumentException("fault rule: neither times nor fraction given (expected times >= 1 or a fraction)");
        }
    }

    /** The next {@code times} matching calls get {@code fault}. */
    public static FaultRule next(int times, Fault fault) {
        return new FaultRule(0, null, fault, times, 0);
    }

    /** Each matching call gets {@code fault} with probability {@code fraction}, until the rule is cleared. */
    public static FaultRule fraction(double fraction, Fault fault) {
        return new FaultRule(0, null, fault, 0, fraction);
    }

    public FaultRule forBot(long id) {
        return new FaultRule(id, method, fault, times, fraction);
    }

    public FaultRule forMethod(String name) {
        return new FaultRule(botId, name, fault, times, fraction);
    }

    boolean matches(long bot, String calledMethod) {
        return (botId == 0 || botId == bot) && (method == null || method.equalsIgnoreCase(calledMethod));
    }
}

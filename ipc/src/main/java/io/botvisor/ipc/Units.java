package io.botvisor.ipc;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the duration ({@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 30d}) and size ({@code 64k}, {@code 64m},
 * {@code 1g}) notation shared by the fleet file and the child's spec. Stateless and thread-safe. Errors say what was
 * expected, so callers can prefix the file, bot and field.
 *
 * <p>Out-of-range values are rejected, never clamped: a size that does not fit in a long, or a duration longer than
 * {@link #MAX_DURATION}, would otherwise become some other value without a word.
 */
public final class Units {
    /**
     * The longest duration accepted: 100 years. Far below {@link Duration}'s nanosecond range (~292 years), so that a
     * deadline of {@code System.nanoTime() + d} cannot overflow.
     */
    public static final Duration MAX_DURATION = Duration.ofDays(36_500);
    /** The largest size accepted in each unit: what still fits in a long of bytes. */
    private static final long MAX_K = Long.MAX_VALUE >> 10;
    private static final long MAX_M = Long.MAX_VALUE >> 20;
    private static final long MAX_G = Long.MAX_VALUE >> 30;
    private static final Pattern DURATION = Pattern.compile("(-?\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(-?\\d+)([kmg])", Pattern.CASE_INSENSITIVE);

    private Units() {
    }

    /** A duration; negative ones are returned (callers decide whether they make sense), longer than 100 years throw. */
    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw bad(text, "is not a duration (expected e.g. 500ms, 10s, 5m, 1h, 30d)");
        }
        long nanosPerUnit = switch (m.group(2)) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
        };
        // Exact decimal arithmetic: a double would round 0.1s, and saturate silently past Long.MAX_VALUE nanos.
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit))
                .setScale(0, RoundingMode.HALF_UP);
        if (nanos.abs().compareTo(BigDecimal.valueOf(MAX_DURATION.toNanos())) > 0) {
            throw bad(text, "is out of range (expected a duration of at most 36500d, 100 years)");
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    /** A size in bytes; negative sizes and sizes that do not fit in a long throw. */
    public static long bytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw bad(text, "is not a size (expected e.g. 64m, 512k, 1g)");
        }
        if (m.group(1).startsWith("-")) {
            throw bad(text, "is negative (expected e.g. 64m)");
        }
        String unit = m.group(2).toLowerCase(java.util.Locale.ROOT);
        long max = switch (unit) {
            case "k" -> MAX_K;
            case "m" -> MAX_M;
            default -> MAX_G;
        };
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            n = Long.MAX_VALUE; // more digits than a long holds: certainly too large
        }
        if (n > max) {
            throw bad(text, "is too large (expected at most " + max + unit + ")");
        }
        return switch (unit) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            default -> n << 30;
        };
    }

    /**
     * Why {@code text} is not a duration {@link #duration} accepts, as the rest of a sentence that starts with the
     * value ({@code is not a duration (expected e.g. 500ms, 10s, 5m, 1h, 30d)}), or null when it is one.
     */
    public static String durationProblem(String text) {
        try {
            duration(text);
            return null;
        } catch (BadValueException e) {
            return e.what;
        }
    }

    /** Why {@code text} is not a size {@link #bytes} accepts, as {@link #durationProblem} says it; or null. */
    public static String sizeProblem(String text) {
        try {
            bytes(text);
            return null;
        } catch (BadValueException e) {
            return e.what;
        }
    }

    private static BadValueException bad(String text, String what) {
        return new BadValueException(text, what);
    }

    /** The one exception of this class: the value, then what is wrong with it. */
    private static final class BadValueException extends IllegalArgumentException {
        private final String what;

        BadValueException(String text, String what) {
            super("\"" + text + "\" " + what);
            this.what = what;
        }
    }

    /** Seconds with one decimal, the way log lines show delays: {@code 1.0 s}. */
    public static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** The shortest exact form of a duration in the fleet-file notation. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0 && ms > 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}

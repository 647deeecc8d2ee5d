package io.botvisor.ipc;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the duration ({@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 30d}) and size ({@code 64k}, {@code 64m},
 * {@code 1g}) notation shared by the fleet file and the child's spec. Stateless and thread-safe. Errors say what was
 * expected, so callers can prefix the file, bot and field.
 */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("(-?\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(-?\\d+)([kmg])", Pattern.CASE_INSENSITIVE);

    private Units() {
    }

    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration (expected e.g. 500ms, 10s, 5m, 1h, 30d)");
        }
        double n = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> n * 1_000;
            case "m" -> n * 60_000;
            case "d" -> n * 86_400_000;
            default -> n * 3_600_000;
        };
        return Duration.ofNanos(Math.round(millis * 1_000_000));
    }

    public static long bytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a size (expected e.g. 512k, 64m, 1g)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase()) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            default -> n << 30;
        };
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

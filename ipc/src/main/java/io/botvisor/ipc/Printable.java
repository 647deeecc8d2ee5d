package io.botvisor.ipc;

/**
 * Makes text a child supplied (event details, self-check details, counter names in errors) safe to put on one log
 * line: bot code is untrusted, and a detail with a newline could forge a log line, one with an escape sequence could
 * repaint an operator's terminal. Stateless and thread-safe.
 */
public final class Printable {
    /** What a capped string ends with. */
    public static final String TRUNCATED = "…(truncated)";
    /** The default cap of {@link #oneLine(String)}, in characters: that of an event's detail. */
    public static final int DEFAULT_MAX = Message.MAX_DETAIL;

    private Printable() {
    }

    /** {@link #oneLine(String, int)} with the default cap. */
    public static String oneLine(String text) {
        return oneLine(text, DEFAULT_MAX);
    }

    /**
     * The text on one line: a backslash becomes {@code \\}, newline, carriage return and tab {@code \n}, {@code \r},
     * {@code \t}, every other control or line-breaking character (C0, DEL, C1, U+2028/U+2029, bidirectional
     * overrides) {@code \}{@code uXXXX}; then capped at {@code maxChars} (escapes included) with {@link #TRUNCATED}.
     * Null becomes {@code "null"}, as string concatenation would show it.
     */
    public static String oneLine(String text, int maxChars) {
        return escaped(text, maxChars, false);
    }

    /**
     * Text of several lines (a thread dump a child sent) made safe to print as it is: as {@link #oneLine(String, int)},
     * except that a newline stays a newline, so each line is a line and none can carry a control character.
     */
    public static String lines(String text, int maxChars) {
        return escaped(text, maxChars, true);
    }

    private static String escaped(String text, int maxChars, boolean keepNewlines) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), maxChars) + 16);
        for (int i = 0; i < text.length() && sb.length() <= maxChars; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append(keepNewlines ? "\n" : "\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (unsafe(c)) {
                        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return truncate(sb.toString(), maxChars);
    }

    /**
     * The text itself when it has at most {@code maxChars} characters, else its start and {@link #TRUNCATED}, in
     * {@code maxChars} characters all told; a surrogate pair is never split.
     *
     * @throws IllegalArgumentException if {@code maxChars} is shorter than the marker itself
     */
    public static String truncate(String text, int maxChars) {
        if (maxChars < TRUNCATED.length()) {
            throw new IllegalArgumentException("maxChars " + maxChars + " is below " + TRUNCATED.length()
                    + " (expected room for the marker " + TRUNCATED + ")");
        }
        if (text == null || text.length() <= maxChars) {
            return text;
        }
        int keep = Math.max(0, maxChars - TRUNCATED.length());
        if (keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) {
            keep--;
        }
        return text.substring(0, keep) + TRUNCATED;
    }

    private static boolean unsafe(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }
}

package io.botvisor.supervisor.core;

/** Makes text a child sent safe for one log line. Stateless. */
final class Text {
    static final int MAX = 4096;

    private Text() {
    }

    /** Control characters (newlines included) escaped, at most {@link #MAX} characters kept. */
    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 16);
        for (int i = 0; i < s.length() && b.length() < MAX; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (b.length() >= MAX && s.length() > MAX) {
            b.append("…(truncated)");
        }
        return b.toString();
    }
}

package io.botvisor.runner.internal;

import io.botvisor.runner.BotConfigException;

/**
 * Turns an exception into the one-line cause an event carries and the supervisor logs: no stack, no line breaks,
 * bounded (a bot's exception message is untrusted text). Stateless.
 */
final class OneLine {
    /** Longer causes are cut: the full text is in the child's own log. */
    static final int MAX_CHARS = 500;
    /** Cause chains can be cyclic or absurdly deep; the root is looked for this far only. */
    private static final int MAX_DEPTH = 32;

    private OneLine() {
    }

    /**
     * A {@link BotConfigException} is its message alone (written for the operator); anything else is
     * {@code Type: message}, followed by {@code ; caused by Type: message} of its root cause when there is one.
     */
    static String of(Throwable t) {
        if (t instanceof BotConfigException) {
            return bounded(String.valueOf(t.getMessage()));
        }
        Throwable root = t;
        for (int i = 0; i < MAX_DEPTH && root.getCause() != null && root.getCause() != root; i++) {
            root = root.getCause();
        }
        return bounded(root == t ? t.toString() : t + "; caused by " + root);
    }

    static String bounded(String text) {
        String flat = text.strip().replaceAll("\\s*\\R\\s*", " ");
        return flat.length() <= MAX_CHARS ? flat : flat.substring(0, MAX_CHARS - 1) + "…";
    }
}

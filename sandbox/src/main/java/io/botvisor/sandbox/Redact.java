package io.botvisor.sandbox;

import java.util.regex.Pattern;

/**
 * Hides the secret half of a bot token in anything the sandbox logs or prints: {@code /bot123:secret/} becomes
 * {@code /bot123:***}{@code /}, and a bare {@code 123:secret} the same. The bot id stays, so a line still says which
 * bot. Stateless.
 */
public final class Redact {

    private static final Pattern TOKEN = Pattern.compile("(\\d+):[A-Za-z0-9_\\-]+");

    private Redact() {
    }

    /** {@code text} with every token's secret replaced by {@code ***}. */
    public static String tokens(String text) {
        return text == null ? null : TOKEN.matcher(text).replaceAll("$1:***");
    }
}

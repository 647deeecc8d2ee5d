package io.botvisor.sandbox;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides the secret half of a bot token in anything the sandbox logs or prints: {@code /bot123:secret/} becomes
 * {@code /bot123:***}{@code /}, and a bare {@code 123:secret} the same when the secret is not all digits (so that
 * {@code 127.0.0.1:8081} and a time {@code 23:19} stay as they are). The bot id stays, so a line still says which bot.
 * Stateless.
 */
public final class Redact {

    private static final Pattern TOKEN = Pattern.compile("(bot|(?<![A-Za-z0-9_.:]))(\\d+):([A-Za-z0-9_\\-]+)");

    private Redact() {
    }

    /** {@code text} with every token's secret replaced by {@code ***}. */
    public static String tokens(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = TOKEN.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            boolean inPath = "bot".equals(m.group(1));
            boolean secretLike = !m.group(3).chars().allMatch(Character::isDigit);
            String replacement = inPath || secretLike ? m.group(1) + m.group(2) + ":***" : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}

package io.botvisor.runner.telegram.transport;

import java.util.regex.Pattern;

/**
 * The one function every URL, exception text and response snippet passes through before it is logged or put in an
 * exception: a bot token ({@code <bot id>:<secret>}) is in every Bot API URL path, so {@code /bot123:AAH…/getMe}
 * becomes {@code /bot123:***}{@code /getMe}. The bot id stays (it is public: it is the bot's user id and helps an
 * operator tell bots apart). Stateless and thread-safe.
 */
public final class Redaction {
    /** The URL form: whatever follows {@code bot<digits>:} up to the next path, query, quote or blank. */
    private static final Pattern IN_URL = Pattern.compile("(?<![A-Za-z0-9_-])bot(\\d+):[^/?#\\s\"']+");
    /** On its own (an echoed payload, a config dump): a token's usual shape, so that "12:30" stays as it is. */
    private static final Pattern BARE = Pattern.compile("(?<![A-Za-z0-9_-])(\\d{3,}):[A-Za-z0-9_-]{20,}");
    /** A well-formed token: what {@link BotApiClient} accepts. */
    static final Pattern WELL_FORMED = Pattern.compile("\\d+:[A-Za-z0-9_-]+");

    private Redaction() {
    }

    /** {@code text} with every token's secret replaced by {@code ***}; null stays null. */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String urlsDone = IN_URL.matcher(text).replaceAll("bot$1:***");
        return BARE.matcher(urlsDone).replaceAll("$1:***");
    }

    /** The redacted message of {@code t} and its causes, one line: for log lines and exception messages. */
    public static String describe(Throwable t) {
        StringBuilder text = new StringBuilder();
        for (Throwable c = t; c != null && text.length() < 500; c = c.getCause() == c ? null : c.getCause()) {
            if (text.length() > 0) {
                text.append(": ");
            }
            text.append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                text.append(" (").append(c.getMessage()).append(')');
            }
        }
        return redact(text.toString());
    }
}

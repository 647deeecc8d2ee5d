package io.botvisor.runner.telegram.runtime;

import io.botvisor.ipc.Units;
import io.botvisor.runner.BotConfigException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A Telegram bot's settings: its {@code telegram:} section as the supervisor checked it (built-in defaults filled in),
 * read from {@code BotContext.telegram()}. A child started without the section (a test's spec) gets the built-in
 * defaults. Immutable.
 */
record Settings(String apiUrl, Duration pollTimeout, List<String> allowedUpdates, int handlerThreads,
                Duration handlerTimeout, Rate perChat, Rate perGroup, Rate overall, boolean retryUncertain,
                String apology, long journalMaxBytes) {
    /** The reply to an update whose handler needs the database while it is down (whenDatabaseDown: apologize). */
    static final String DEFAULT_APOLOGY = "Sorry, I cannot answer this right now: my database is unavailable. "
            + "Please try again in a few minutes.";
    static final String DEFAULT_JOURNAL_MAX = "64m";
    /** Below this a journal could not hold one batch of updates. */
    static final long MIN_JOURNAL_BYTES = 64 * 1024;

    /** A send rate: {@code count} messages per {@code per}. */
    record Rate(int count, Duration per) {
        static Rate parse(String key, String text) {
            int slash = text.indexOf('/');
            try {
                int n = Integer.parseInt(text.substring(0, Math.max(0, slash)));
                String unit = text.substring(slash + 1);
                if (n > 0 && (unit.equals("s") || unit.equals("min"))) {
                    return new Rate(n, unit.equals("s") ? Duration.ofSeconds(1) : Duration.ofMinutes(1));
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new BotConfigException("telegram." + key + " \"" + text + "\" is not a rate (expected e.g. 1/s)");
        }
    }

    static Settings from(Map<String, String> t) {
        return new Settings(
                t.getOrDefault("apiUrl", "https://api.telegram.org"),
                duration(t, "pollTimeout", "25s"),
                Arrays.stream(t.getOrDefault("allowedUpdates", "message,edited_message,callback_query,my_chat_member")
                        .split(",")).filter(s -> !s.isBlank()).toList(),
                Integer.parseInt(t.getOrDefault("handlerThreads", "4")),
                duration(t, "handlerTimeout", "30s"),
                Rate.parse("sendLimits.perChat", t.getOrDefault("sendLimits.perChat", "1/s")),
                Rate.parse("sendLimits.perGroup", t.getOrDefault("sendLimits.perGroup", "20/min")),
                Rate.parse("sendLimits.overall", t.getOrDefault("sendLimits.overall", "30/s")),
                !t.getOrDefault("uncertainSends", "retry-once").equals("never"),
                apology(t), journalMaxBytes(t));
    }

    /** The apology's text under whenDatabaseDown: apologize; null under wait (the default). */
    private static String apology(Map<String, String> t) {
        String when = t.getOrDefault("whenDatabaseDown", "wait");
        if (when.equals("wait")) {
            return null;
        }
        if (!when.equals("apologize")) {
            throw new BotConfigException("telegram.whenDatabaseDown \"" + when + "\" is not valid (expected wait or "
                    + "apologize)");
        }
        String text = t.getOrDefault("apology", DEFAULT_APOLOGY);
        if (text.isBlank() || text.length() > 4096) {
            throw new BotConfigException("telegram.apology has " + text.length() + " characters (expected 1 to 4096: "
                    + "a Telegram message)");
        }
        return text;
    }

    private static long journalMaxBytes(Map<String, String> t) {
        String v = t.getOrDefault("journal.maxBytes", DEFAULT_JOURNAL_MAX);
        long n;
        try {
            n = Units.bytes(v);
        } catch (IllegalArgumentException e) {
            throw new BotConfigException("telegram.journal.maxBytes " + e.getMessage(), e);
        }
        if (n < MIN_JOURNAL_BYTES) {
            throw new BotConfigException("telegram.journal.maxBytes \"" + v + "\" is below 64k (expected e.g. 64m: "
                    + "the journal must hold a batch of 100 updates)");
        }
        return n;
    }

    private static Duration duration(Map<String, String> t, String key, String fallback) {
        String v = t.getOrDefault(key, fallback);
        try {
            return Units.duration(v);
        } catch (IllegalArgumentException e) {
            throw new BotConfigException("telegram." + key + " " + e.getMessage(), e);
        }
    }
}

package io.botvisor.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bot's {@code telegram:} section (inheritable from {@code defaults:}): where the Bot API is, how the bot polls it,
 * how many handlers run at once and how fast replies may go. Checked here so that a bad value stops the file, not the
 * bot; the child applies the values. Stateless.
 */
final class TelegramSection {
    /** The Bot API's own bound on a poll's wait. */
    static final Duration MAX_POLL_TIMEOUT = Duration.ofSeconds(50);
    /** {@code allowed_updates} values the Bot API knows (Bot API 9.x). */
    static final Set<String> UPDATE_KINDS = Set.of("message", "edited_message", "channel_post",
            "edited_channel_post", "business_connection", "business_message", "edited_business_message",
            "deleted_business_messages", "message_reaction", "message_reaction_count", "inline_query",
            "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media",
            "poll", "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
            "removed_chat_boost");
    /** A Telegram text message's length limit. */
    static final int MAX_MESSAGE = 4096;
    /** Below this a journal could not hold one batch of 100 updates. */
    static final long MIN_JOURNAL_BYTES = 64 * 1024;
    private static final Pattern RATE = Pattern.compile("([1-9][0-9]{0,5})/(s|min)");

    private TelegramSection() {
    }

    static Specs.Telegram read(Lookup f) {
        String apiUrl = apiUrl(f);
        Duration pollTimeout = f.duration("telegram.pollTimeout", false);
        if (pollTimeout != null && pollTimeout.compareTo(MAX_POLL_TIMEOUT) > 0) {
            f.problem(f.subjectOf("telegram.pollTimeout"), "telegram.pollTimeout", f.raw("telegram.pollTimeout"),
                    "is above 50s (expected 0s to 50s: the Bot API waits no longer; 25s is usual)");
            pollTimeout = null;
        }
        List<String> kinds = f.strings("telegram.allowedUpdates");
        if (kinds != null) {
            for (String kind : kinds) {
                if (!UPDATE_KINDS.contains(kind)) {
                    f.problem(f.subjectOf("telegram.allowedUpdates"), "telegram.allowedUpdates",
                            com.fasterxml.jackson.databind.node.TextNode.valueOf(kind),
                            "is not an update kind of the Bot API (expected some of: message, edited_message, "
                                    + "callback_query, inline_query, my_chat_member, …)");
                    kinds = null;
                    break;
                }
            }
        }
        Integer threads = f.integer("telegram.handlerThreads", 1, 64);
        Duration handlerTimeout = f.duration("telegram.handlerTimeout", true);
        String perChat = rate(f, "telegram.sendLimits.perChat");
        String perGroup = rate(f, "telegram.sendLimits.perGroup");
        String overall = rate(f, "telegram.sendLimits.overall");
        String uncertain = uncertain(f);
        String whenDown = whenDatabaseDown(f);
        String apology = apology(f);
        Long journalMax = journalMaxBytes(f);
        if (apiUrl == null || pollTimeout == null || kinds == null || threads == null || handlerTimeout == null
                || perChat == null || perGroup == null || overall == null || uncertain == null || whenDown == null
                || apology == null || journalMax == null) {
            return null;
        }
        return new Specs.Telegram(apiUrl, pollTimeout, kinds, threads, handlerTimeout, perChat, perGroup, overall,
                uncertain, whenDown, apology, journalMax);
    }

    private static String whenDatabaseDown(Lookup f) {
        JsonNode node = f.raw("telegram.whenDatabaseDown");
        if (node.isTextual() && (node.asText().equals("wait") || node.asText().equals("apologize"))) {
            return node.asText();
        }
        f.problem(f.subjectOf("telegram.whenDatabaseDown"), "telegram.whenDatabaseDown", node,
                "is not valid (expected wait: the update waits for the database, or apologize: the reply "
                        + "telegram.apology is sent)");
        return null;
    }

    private static String apology(Lookup f) {
        JsonNode node = f.raw("telegram.apology");
        if (node.isTextual() && !node.asText().isBlank() && node.asText().length() <= MAX_MESSAGE) {
            return node.asText();
        }
        f.problem(f.subjectOf("telegram.apology"), "telegram.apology", node,
                "is not a message (expected text of 1 to 4096 characters)");
        return null;
    }

    private static Long journalMaxBytes(Lookup f) {
        JsonNode node = f.raw("telegram.journal.maxBytes");
        String problem = node.isTextual() ? io.botvisor.ipc.Units.sizeProblem(node.asText()) : "is not a size";
        if (problem == null && io.botvisor.ipc.Units.bytes(node.asText()) < MIN_JOURNAL_BYTES) {
            problem = "is below 64k";
        }
        if (problem != null) {
            f.problem(f.subjectOf("telegram.journal.maxBytes"), "telegram.journal.maxBytes", node, problem
                    .replaceFirst(" \\(expected.*", "") + " (expected a size of at least 64k, e.g. 64m: the bot's "
                    + "journal while its database is down)");
            return null;
        }
        return io.botvisor.ipc.Units.bytes(node.asText());
    }

    private static String apiUrl(Lookup f) {
        JsonNode node = f.raw("telegram.apiUrl");
        String problem;
        if (!node.isTextual()) {
            problem = "is not a URL (expected e.g. https://api.telegram.org or http://127.0.0.1:8081)";
        } else {
            problem = urlProblem(node.asText());
        }
        if (problem != null) {
            // A URL with a /bot path may hold a token: it is not repeated.
            JsonNode shown = node.isTextual() && node.asText().contains("/bot")
                    ? com.fasterxml.jackson.databind.node.TextNode.valueOf("(not shown)") : node;
            f.problem(f.subjectOf("telegram.apiUrl"), "telegram.apiUrl", shown, problem);
            return null;
        }
        String url = node.asText();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String urlProblem(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return "is not a URL (" + e.getReason() + "; expected e.g. https://api.telegram.org)";
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            return "is not an http(s) URL with a host (expected e.g. https://api.telegram.org or "
                    + "http://127.0.0.1:8081)";
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || uri.getRawPath() != null && uri.getRawPath().contains("/bot")) {
            // A token must not sit in the fleet file's URL: it belongs in the bot's secretsFile:.
            return "has a user, query, fragment or /bot… path (expected only the server's address, e.g. "
                    + "https://api.telegram.org; the token goes in the bot's secretsFile: as TELEGRAM_BOT_TOKEN)";
        }
        return null;
    }

    private static String rate(Lookup f, String path) {
        JsonNode node = f.raw(path);
        Matcher m = node.isTextual() ? RATE.matcher(node.asText()) : null;
        if (m == null || !m.matches()) {
            f.problem(f.subjectOf(path), path, node, "is not a rate (expected messages per second or minute, "
                    + "e.g. 1/s or 20/min)");
            return null;
        }
        return node.asText();
    }

    private static String uncertain(Lookup f) {
        JsonNode node = f.raw("telegram.uncertainSends");
        if (node.isTextual() && (node.asText().equals("retry-once") || node.asText().equals("never"))) {
            return node.asText();
        }
        f.problem(f.subjectOf("telegram.uncertainSends"), "telegram.uncertainSends", node,
                "is not valid (expected retry-once or never)");
        return null;
    }
}

package io.botvisor.runner.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * One Telegram update, as the Bot API sent it, with the fields handlers use most at hand. The whole object is
 * {@link #json()}. Immutable (do not modify the tree {@link #json()} returns).
 *
 * <pre>{@code
 * on.command("start", turn -> turn.reply("Hello, " + turn.update().from().map(User::firstName).orElse("there")));
 * }</pre>
 */
public final class Update {
    private final long id;
    private final String kind;
    private final JsonNode json;
    /** The update's main object: the message, the callback query, … (the value of its one field besides the id). */
    private final JsonNode body;

    public Update(long id, JsonNode json) {
        this.id = id;
        this.json = json;
        String k = "unknown";
        JsonNode b = json.path("unknown");
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("update_id")) {
                k = e.getKey();
                b = e.getValue();
                break;
            }
        }
        this.kind = k;
        this.body = b;
    }

    /** The update's id ({@code update_id}). */
    public long id() {
        return id;
    }

    /** Which kind it is: the name of its field ({@code message}, {@code edited_message}, {@code callback_query}, …). */
    public String kind() {
        return kind;
    }

    /** The whole update. */
    public JsonNode json() {
        return json;
    }

    /** The message of a {@code message}/{@code edited_message}/… update, or a callback query's message. */
    public Optional<JsonNode> message() {
        if (kind.equals("callback_query")) {
            return present(body.path("message"));
        }
        return body.has("message_id") ? Optional.of(body) : Optional.empty();
    }

    /** The chat it happened in, when it has one. */
    public Optional<Long> chatId() {
        return chatIdOf(json);
    }

    /** The chat id of a raw update (the same rule as {@link #chatId()}), for the runtime's routing. */
    public static Optional<Long> chatIdOf(JsonNode update) {
        for (Iterator<Map.Entry<String, JsonNode>> it = update.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("update_id")) {
                continue;
            }
            JsonNode b = e.getValue();
            JsonNode chat = b.path("chat");
            if (chat.isMissingNode()) {
                chat = b.path("message").path("chat");
            }
            return chat.path("id").isIntegralNumber() ? Optional.of(chat.path("id").asLong()) : Optional.empty();
        }
        return Optional.empty();
    }

    /** Who sent it, when the update says. */
    public Optional<User> from() {
        JsonNode from = body.path("from");
        return from.path("id").isIntegralNumber() ? Optional.of(User.of(from)) : Optional.empty();
    }

    /** The message's text (or caption), when it has one. */
    public Optional<String> text() {
        if (!body.has("message_id")) {
            return Optional.empty(); // not a message: a callback query's text is its message's, not the user's
        }
        JsonNode t = body.has("text") ? body.path("text") : body.path("caption");
        return t.isTextual() ? Optional.of(t.asText()) : Optional.empty();
    }

    /** The message's id, for a reply to it. */
    public Optional<Long> messageId() {
        return message().map(m -> m.path("message_id")).filter(JsonNode::isIntegralNumber).map(JsonNode::asLong);
    }

    /**
     * The command, when the text starts with one: {@code /persona@MyBot Ada} → {@code persona} (lower case, without
     * the slash and the bot's name).
     */
    public Optional<String> command() {
        return text().filter(t -> t.startsWith("/") && t.length() > 1).map(t -> {
            int end = t.indexOf(' ');
            String word = end < 0 ? t.substring(1) : t.substring(1, end);
            int at = word.indexOf('@');
            return (at < 0 ? word : word.substring(0, at)).toLowerCase(java.util.Locale.ROOT);
        });
    }

    /** What follows the command, trimmed ({@code /persona Ada} → {@code Ada}); empty text without a command. */
    public String commandArgs() {
        return command().flatMap(c -> text()).map(t -> {
            int space = t.indexOf(' ');
            return space < 0 ? "" : t.substring(space + 1).trim();
        }).orElse("");
    }

    /** A callback query's data. */
    public Optional<String> callbackData() {
        return kind.equals("callback_query") && body.path("data").isTextual()
                ? Optional.of(body.path("data").asText()) : Optional.empty();
    }

    /** A callback query's id (for {@link Turn#answerCallback}). */
    public Optional<String> callbackQueryId() {
        return kind.equals("callback_query") && body.path("id").isTextual()
                ? Optional.of(body.path("id").asText()) : Optional.empty();
    }

    private static Optional<JsonNode> present(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? Optional.empty() : Optional.of(n);
    }

    @Override
    public String toString() {
        return "update " + id + " (" + kind + chatId().map(c -> " in chat " + c).orElse("") + ")";
    }

    /** A Telegram user. Immutable. */
    public record User(long id, String username, String firstName, String lastName, String languageCode) {
        static User of(JsonNode n) {
            return new User(n.path("id").asLong(), text(n, "username"), text(n, "first_name"), text(n, "last_name"),
                    text(n, "language_code"));
        }

        private static String text(JsonNode n, String field) {
            return n.path(field).isTextual() ? n.path(field).asText() : null;
        }
    }
}

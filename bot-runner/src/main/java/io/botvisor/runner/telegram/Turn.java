package io.botvisor.runner.telegram;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.botvisor.storage.BotData;
import java.sql.Connection;
import java.util.Map;

/**
 * One update being handled: the update, the way to answer it, and the bot's data, all inside the handler's database
 * transaction. Replies are queued in the bot's outbox in that transaction and sent after it commits — in order within
 * a chat, within Telegram's rate limits, each exactly once (or, when a response was lost, counted as uncertain).
 * Belongs to the handler's thread for the handler's duration; do not keep it.
 *
 * <pre>{@code
 * on.text(turn -> {
 *     turn.reply("You said: " + turn.update().text().orElse(""));
 *     turn.count("echoes", 1);
 * });
 * }</pre>
 */
public interface Turn {

    Update update();

    /**
     * Replies in the update's chat, as a reply to its message when it has one. Returns the outbox row's id.
     *
     * @throws IllegalStateException when the update has no chat (an inline query): use {@link #send}
     */
    long reply(String text);

    /** Sends a text message to a chat. Returns the outbox row's id. */
    long send(long chatId, String text);

    /**
     * Queues any Bot API call ({@code sendPhoto}, {@code editMessageText}, …) with its parameters; {@code chatId}
     * orders it among the chat's other calls and applies the chat's send limits (it is also put in the payload as
     * {@code chat_id} unless the payload has one). Returns the outbox row's id.
     */
    long call(String method, long chatId, ObjectNode payload);

    /** A fresh JSON object for {@link #call}'s payload. */
    ObjectNode newPayload();

    /** Answers the update's callback query ({@code answerCallbackQuery}); {@code text} may be null. */
    void answerCallback(String text);

    /** The handler's transaction, for the bot's own SQL (as its own role: it sees only its own rows). */
    Connection connection();

    /** The bot's users, conversations, messages and profiles, in this transaction. */
    BotData data();

    /** The bot's cache: what a handler puts or loads here is forgotten again if the transaction rolls back. */
    TurnCache cache();

    /** The bot's {@code config:}. */
    Map<String, String> config();

    /** Adds to a named counter reported in the bot's heartbeats (see {@code BotContext.count}). */
    void count(String counter, long delta);
}

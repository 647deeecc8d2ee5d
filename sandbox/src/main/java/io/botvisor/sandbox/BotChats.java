package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One bot's chats: what users say and press (turned into updates on the bot's {@link BotState}) and what the bot
 * sends, edits and answers. Guarded by its own monitor, taken before the BotState's (never the other way round);
 * {@link #awaitSent} waits on it.
 */
final class BotChats {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final long botId;
    private final BotState updates;
    private final SandboxClock clock;
    private final Journal journal;
    private final int chatHistory;
    private final Map<Long, ChatState> chats = new HashMap<>();
    private final Map<String, Boolean> callbacks = new HashMap<>();
    private long nextCallback = 1;

    BotChats(long botId, BotState updates, SandboxClock clock, Journal journal, int chatHistory) {
        this.botId = botId;
        this.updates = updates;
        this.clock = clock;
        this.journal = journal;
        this.chatHistory = chatHistory;
    }

    private ChatState chat(long chatId) {
        return chats.computeIfAbsent(chatId, id -> new ChatState(id, chatHistory));
    }

    /**
     * The Message object of a kept message, made from its fields. The replied message is included one level deep,
     * as the real server does (its own reply_to_message is left out), and only while the chat still keeps it.
     */
    private ObjectNode message(ChatState chat, ChatState.Stored s, boolean withReply) {
        ObjectNode message = NODES.objectNode();
        message.put("message_id", s.messageId);
        message.set("from", s.fromBot() ? botUser() : ChatState.UserSpec.of(s.fromUser).json());
        message.set("chat", chat.json(ChatState.UserSpec.of(chat.id)));
        message.put("date", s.date);
        if (s.editDate != 0) {
            message.put("edit_date", s.editDate);
        }
        message.put("text", s.text);
        if (!s.fromBot() && s.text.startsWith("/")) {
            int end = s.text.indexOf(' ');
            ObjectNode entity = NODES.objectNode();
            entity.put("type", "bot_command");
            entity.put("offset", 0);
            entity.put("length", end < 0 ? s.text.length() : end);
            message.set("entities", NODES.arrayNode().add(entity));
        }
        ChatState.Stored replied = withReply && s.replyTo != 0 ? chat.find(s.replyTo) : null;
        if (replied != null) {
            message.set("reply_to_message", message(chat, replied, false));
        }
        if (s.markup != null) {
            message.set("reply_markup", s.markup);
        }
        return message;
    }

    ObjectNode botUser() {
        ObjectNode user = NODES.objectNode();
        user.put("id", botId);
        user.put("is_bot", true);
        user.put("first_name", "Sandbox Bot " + botId);
        user.put("username", "sandbox_" + botId + "_bot");
        return user;
    }

    private long seconds() {
        return clock.millis() / 1000;
    }

    // ---- the user side ----------------------------------------------------------------------------------------------

    synchronized UserEvent say(long chatId, long fromUserId, String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("sandbox: say: the text is empty (expected a message to send)");
        }
        if (chatId > 0 && fromUserId != chatId) {
            throw new IllegalArgumentException("sandbox: say: chat " + chatId + " is a private chat, so the user is "
                    + chatId + ", not " + fromUserId + " (use a negative chat id for a group)");
        }
        ChatState chat = chat(chatId);
        if (chat.migratedTo != 0) {
            throw new IllegalArgumentException("sandbox: say: group " + chatId + " was migrated to supergroup "
                    + chat.migratedTo + " (say it there)");
        }
        long messageId = chat.takeMessageId();
        ChatState.Stored stored = new ChatState.Stored(messageId, fromUserId, text, 0, clock.millis(), seconds());
        chat.add(stored);
        long updateId = updates.push("message", message(chat, stored, false));
        UserEvent event = new UserEvent(botId, chatId, updateId, messageId, text.startsWith("/") ? "command" : "text",
                text, clock.millis());
        journal.event(event);
        return event;
    }

    synchronized UserEvent press(long chatId, long fromUserId, long messageId, String data) {
        ChatState chat = chats.get(chatId);
        ChatState.Stored pressed = chat == null ? null : chat.find(messageId);
        if (pressed == null || !pressed.fromBot()) {
            throw new IllegalArgumentException("sandbox: press: bot " + botId + " sent no message " + messageId
                    + " in chat " + chatId + " (press a button of a message the bot sent)");
        }
        String id = botId + "-" + nextCallback++;
        callbacks.put(id, false);
        ObjectNode query = NODES.objectNode();
        query.put("id", id);
        query.set("from", ChatState.UserSpec.of(fromUserId).json());
        query.set("message", message(chat, pressed, true));
        query.put("chat_instance", Long.toString(chatId));
        query.put("data", data);
        long updateId = updates.push("callback_query", query);
        UserEvent event = new UserEvent(botId, chatId, updateId, 0, "callback_query", data, clock.millis());
        journal.event(event);
        return event;
    }

    synchronized long migrate(long chatId) {
        ChatState old = chats.get(chatId);
        if (old == null || !"group".equals(old.type) || old.migratedTo != 0) {
            throw new IllegalArgumentException("sandbox: migrate: chat " + chatId + " is not a group bot " + botId
                    + " knows (say something in it first; only a basic group, id > -1000000000000, migrates)");
        }
        long newId = -1_000_000_000_000L + chatId;
        old.migratedTo = newId;
        ChatState fresh = chat(newId);
        ChatState.UserSpec admin = ChatState.UserSpec.of(1);
        ObjectNode inOld = service(old, admin);
        inOld.put("migrate_to_chat_id", newId);
        updates.push("message", inOld);
        ObjectNode inNew = service(fresh, admin);
        inNew.put("migrate_from_chat_id", chatId);
        long updateId = updates.push("message", inNew);
        journal.event(new UserEvent(botId, chatId, updateId, 0, "migrate", Long.toString(newId), clock.millis()));
        return newId;
    }

    private ObjectNode service(ChatState chat, ChatState.UserSpec from) {
        ObjectNode message = NODES.objectNode();
        message.put("message_id", chat.takeMessageId());
        message.set("from", from.json());
        message.set("chat", chat.json(from));
        message.put("date", seconds());
        return message;
    }

    synchronized List<BotMessage> sent(long chatId) {
        List<BotMessage> out = new ArrayList<>();
        ChatState chat = chats.get(chatId);
        if (chat != null) {
            for (ChatState.Stored s : chat.messages()) {
                if (s.fromBot()) {
                    out.add(snapshot(chat, s));
                }
            }
        }
        return out;
    }

    /** Waits (on this monitor, woken by each send) until the chat holds {@code count} bot messages or the deadline. */
    synchronized List<BotMessage> awaitSent(long chatId, int count, long deadlineNanos) throws InterruptedException {
        while (true) {
            List<BotMessage> now = sent(chatId);
            long left = deadlineNanos - System.nanoTime();
            if (now.size() >= count || left <= 0) {
                return now;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Waits until the bot sent the chat a message with an id above {@code afterMessageId}, or the deadline. */
    synchronized List<BotMessage> awaitSentAfter(long chatId, long afterMessageId, long deadlineNanos)
            throws InterruptedException {
        while (true) {
            List<BotMessage> newer = new ArrayList<>();
            for (BotMessage m : sent(chatId)) {
                if (m.messageId() > afterMessageId) {
                    newer.add(m);
                }
            }
            long left = deadlineNanos - System.nanoTime();
            if (!newer.isEmpty() || left <= 0) {
                return newer;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    synchronized boolean knows(long chatId) {
        return chats.containsKey(chatId);
    }

    private BotMessage snapshot(ChatState chat, ChatState.Stored s) {
        return new BotMessage(botId, chat.id, s.messageId, s.text, s.replyTo, s.at, s.editCount,
                message(chat, s, true));
    }

    /** The Message object of the bot's message if the chat still keeps it, else null. */
    synchronized JsonNode json(long chatId, long messageId) {
        ChatState chat = chats.get(chatId);
        ChatState.Stored s = chat == null ? null : chat.find(messageId);
        return s == null ? null : message(chat, s, true);
    }

    // ---- the bot side -----------------------------------------------------------------------------------------------

    private Object chatOrError(Params params) {
        Optional<String> raw = params.text("chat_id");
        if (raw.isEmpty()) {
            return ApiResult.badRequest("chat_id is empty");
        }
        long chatId;
        try {
            chatId = Long.parseLong(raw.get().trim());
        } catch (NumberFormatException e) {
            return ApiResult.badRequest("chat not found");
        }
        ChatState chat = chats.get(chatId);
        if (chat == null) {
            return ApiResult.badRequest("chat not found");
        }
        if (chat.migratedTo != 0) {
            ObjectNode parameters = NODES.objectNode();
            parameters.put("migrate_to_chat_id", chat.migratedTo);
            return ApiResult.error(400, "Bad Request: group chat was upgraded to a supergroup chat", parameters);
        }
        return chat;
    }

    synchronized ApiResult sendMessage(Params params) {
        Object resolved = chatOrError(params);
        if (resolved instanceof ApiResult) {
            return (ApiResult) resolved;
        }
        ChatState chat = (ChatState) resolved;
        String text = params.text("text").orElse("");
        if (text.isBlank()) {
            return ApiResult.badRequest("message text is empty");
        }
        if (text.length() > 4096) {
            return ApiResult.badRequest("message is too long");
        }
        long replyTo = params.integer("reply_to_message_id", 0);
        boolean allowWithoutReply = params.bool("allow_sending_without_reply");
        Optional<JsonNode> replyParameters = params.object("reply_parameters");
        if (replyParameters.isPresent()) {
            replyTo = replyParameters.get().path("message_id").asLong(0);
            allowWithoutReply = replyParameters.get().path("allow_sending_without_reply").asBoolean(false);
        }
        ChatState.Stored repliedTo = replyTo == 0 ? null : chat.find(replyTo);
        if (replyTo != 0 && repliedTo == null && !chat.forgot(replyTo)) {
            if (!allowWithoutReply) {
                return ApiResult.badRequest("message to be replied not found");
            }
            replyTo = 0;
        }
        long messageId = chat.takeMessageId();
        ChatState.Stored stored = new ChatState.Stored(messageId, 0, text, replyTo, clock.millis(), seconds());
        stored.markup = params.object("reply_markup").filter(m -> m.has("inline_keyboard")).orElse(null);
        ObjectNode message = message(chat, stored, true);
        chat.add(stored);
        // The journal keeps the message's fields only (a long run keeps many): allSent() adds the JSON back from the
        // chat while the chat keeps the message.
        journal.send(new BotMessage(botId, chat.id, messageId, text, replyTo, stored.at, 0, null));
        notifyAll();
        return ApiResult.ok(message);
    }

    synchronized ApiResult editMessageText(Params params) {
        if (params.has("inline_message_id")) {
            return ApiResult.badRequest("inline messages are not supported by the sandbox");
        }
        Object resolved = chatOrError(params);
        if (resolved instanceof ApiResult) {
            return (ApiResult) resolved;
        }
        ChatState chat = (ChatState) resolved;
        ChatState.Stored target = chat.find(params.integer("message_id", 0));
        if (target == null) {
            return ApiResult.badRequest("message to edit not found");
        }
        if (!target.fromBot()) {
            return ApiResult.badRequest("message can't be edited");
        }
        String text = params.text("text").orElse("");
        if (text.isBlank()) {
            return ApiResult.badRequest("message text is empty");
        }
        JsonNode markup = params.object("reply_markup").orElse(null);
        if (text.equals(target.text) && (markup == null || markup.equals(target.markup))) {
            return ApiResult.badRequest("message is not modified: specified new message content and reply markup are"
                    + " exactly the same as a current content and reply markup of the message");
        }
        target.text = text;
        target.editCount++;
        target.editDate = seconds();
        if (markup != null) {
            target.markup = markup;
        }
        notifyAll();
        return ApiResult.ok(message(chat, target, true));
    }

    synchronized ApiResult answerCallbackQuery(Params params) {
        String id = params.text("callback_query_id").orElse("");
        Boolean answered = callbacks.get(id);
        if (answered == null || answered) {
            return ApiResult.badRequest("query is too old and response timeout expired or query ID is invalid");
        }
        callbacks.put(id, true);
        return ApiResult.ok(NODES.booleanNode(true));
    }

    synchronized ApiResult sendChatAction(Params params) {
        Object resolved = chatOrError(params);
        if (resolved instanceof ApiResult) {
            return (ApiResult) resolved;
        }
        if (!params.has("action")) {
            return ApiResult.badRequest("action is empty");
        }
        return ApiResult.ok(NODES.booleanNode(true));
    }
}

package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.LinkedHashMap;

/**
 * One chat as one bot sees it: its type, its messages (users' and the bot's, one id sequence), and where it went if
 * it was a group migrated to a supergroup. Owned by its {@link BotState} and guarded by that bot's lock.
 */
final class ChatState {

    /**
     * A message in the chat; the bot's own ones are what {@code sent()} reports. Its fields, not its Message JSON:
     * the JSON (a few KB with the chat, the sender and the replied message) is made when asked for, so that a chat's
     * history costs ~200 bytes a message.
     */
    static final class Stored {
        final long messageId;
        /** 0 for the bot's own messages. */
        final long fromUser;
        final long replyTo;
        final long at;
        final long date;
        String text;
        int editCount;
        long editDate;
        JsonNode markup;

        Stored(long messageId, long fromUser, String text, long replyTo, long at, long date) {
            this.messageId = messageId;
            this.fromUser = fromUser;
            this.text = text;
            this.replyTo = replyTo;
            this.at = at;
            this.date = date;
        }

        boolean fromBot() {
            return fromUser == 0;
        }
    }

    /** How many messages a chat keeps by default (the Java API's; the CLI keeps fewer). */
    static final int KEPT = 10_000;

    final long id;
    final String type;
    private final int kept;
    /** The chat's last {@code kept} messages by id, oldest first: a long-running sandbox must not grow forever. */
    private final LinkedHashMap<Long, Stored> messages = new LinkedHashMap<>();
    long migratedTo;
    private long nextMessageId = 1;

    ChatState(long id) {
        this(id, KEPT);
    }

    ChatState(long id, int kept) {
        this.id = id;
        this.type = typeOf(id);
        this.kept = kept;
    }

    /** Private chats have the user's (positive) id; supergroups -100…; other negative ids are basic groups. */
    static String typeOf(long chatId) {
        if (chatId > 0) {
            return "private";
        }
        return chatId <= -1_000_000_000_000L ? "supergroup" : "group";
    }

    long takeMessageId() {
        return nextMessageId++;
    }

    void add(Stored message) {
        messages.put(message.messageId, message);
        if (messages.size() > kept) {
            messages.remove(messages.keySet().iterator().next());
        }
    }

    Stored find(long messageId) {
        return messages.get(messageId);
    }

    /** True when the message existed but is no longer kept (a reply to it is still allowed). */
    boolean forgot(long messageId) {
        return messageId > 0 && messageId < nextMessageId && !messages.containsKey(messageId);
    }

    Collection<Stored> messages() {
        return messages.values();
    }

    ObjectNode json(UserSpec privateUser) {
        ObjectNode chat = JsonNodeFactory.instance.objectNode();
        chat.put("id", id);
        chat.put("type", type);
        if ("private".equals(type)) {
            chat.put("first_name", privateUser.firstName());
            chat.put("username", privateUser.username());
        } else {
            chat.put("title", "Sandbox " + type + " " + id);
        }
        return chat;
    }

    /** A user as the sandbox makes them up from an id. */
    record UserSpec(long id, String firstName, String username) {
        static UserSpec of(long id) {
            return new UserSpec(id, "User" + id, "user" + id);
        }

        ObjectNode json() {
            ObjectNode user = JsonNodeFactory.instance.objectNode();
            user.put("id", id);
            user.put("is_bot", false);
            user.put("first_name", firstName);
            user.put("username", username);
            user.put("language_code", "en");
            return user;
        }
    }
}

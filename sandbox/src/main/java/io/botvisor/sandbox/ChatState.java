package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One chat as one bot sees it: its type, its messages (users' and the bot's, one id sequence), and where it went if
 * it was a group migrated to a supergroup. Owned by its {@link BotState} and guarded by that bot's lock.
 */
final class ChatState {

    /**
     * A message in the chat; the bot's own ones are what {@code sent()} reports. Its fields, not its Message JSON:
     * the JSON (a few KB with the chat, the sender and the replied message) is made when asked for, so that a chat's
     * history costs ~120 bytes a message (this, its text, its slot).
     */
    static final class Stored {
        final long messageId;
        /** 0 for the bot's own messages. */
        final long fromUser;
        final long replyTo;
        /** When it was sent, on the server's clock; its {@code date} is this in seconds. */
        final long at;
        String text;
        int editCount;
        long editDate;
        JsonNode markup;

        Stored(long messageId, long fromUser, String text, long replyTo, long at) {
            this.messageId = messageId;
            this.fromUser = fromUser;
            this.text = text;
            this.replyTo = replyTo;
            this.at = at;
        }

        long date() {
            return at / 1000;
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
    /**
     * The messages among the chat's last {@code kept} ids (a long-running sandbox must not grow forever), message
     * {@code id} in slot {@code id % ring.length}: ids grow by one per message, so a newer one takes the slot of the
     * one {@code ring.length} older. The ring grows by doubling up to {@code kept}, so a quiet chat stays small.
     */
    private Stored[] ring = new Stored[0];
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

    /** Keeps a message just given its id by {@link #takeMessageId()} (ids are added in increasing order). */
    void add(Stored message) {
        long span = Math.min(kept, message.messageId);
        if (ring.length < span) {
            long length = Math.max(16, 2L * ring.length);
            while (length < span) {
                length *= 2;
            }
            Stored[] grown = new Stored[(int) Math.min(kept, length)];
            for (Stored s : ring) {
                if (s != null) {
                    grown[(int) (s.messageId % grown.length)] = s;
                }
            }
            ring = grown;
        }
        ring[(int) (message.messageId % ring.length)] = message;
    }

    Stored find(long messageId) {
        if (messageId <= 0 || ring.length == 0) {
            return null;
        }
        Stored s = ring[(int) (messageId % ring.length)];
        return s != null && s.messageId == messageId ? s : null;
    }

    /** True when the message existed but is no longer kept (a reply to it is still allowed). */
    boolean forgot(long messageId) {
        return messageId > 0 && messageId < nextMessageId && find(messageId) == null;
    }

    /** The kept messages, oldest first. */
    List<Stored> messages() {
        List<Stored> out = new ArrayList<>();
        for (long id = Math.max(1, nextMessageId - ring.length); id < nextMessageId; id++) {
            Stored s = find(id);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
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

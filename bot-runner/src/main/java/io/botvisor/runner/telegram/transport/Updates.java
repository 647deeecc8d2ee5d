package io.botvisor.runner.telegram.transport;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The pure parts of polling: reading a getUpdates result into {@link IncomingUpdate}s, and the offset rule. Stateless.
 */
final class Updates {
    private Updates() {
    }

    /** A getUpdates result that is not an array of objects with an {@code update_id}. */
    static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    static List<IncomingUpdate> parse(JsonNode result) throws MalformedException {
        if (result == null || !result.isArray()) {
            throw new MalformedException("getUpdates result is not an array");
        }
        List<IncomingUpdate> updates = new ArrayList<>(result.size());
        for (JsonNode update : result) {
            if (!update.isObject() || !update.path("update_id").canConvertToLong()) {
                throw new MalformedException("getUpdates result holds an update without a numeric update_id");
            }
            String kind = kindOf(update);
            updates.add(new IncomingUpdate(update.get("update_id").longValue(), kind, chatIdOf(update.path(kind)),
                    update.toString()));
        }
        return updates;
    }

    /** The first field other than update_id: an update carries exactly one. */
    private static String kindOf(JsonNode update) {
        for (Iterator<String> names = update.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!"update_id".equals(name)) {
                return name;
            }
        }
        return "unknown";
    }

    /**
     * {@code x.chat.id} (messages, posts, member updates, join requests, reactions, boosts) or {@code
     * x.message.chat.id} (callback queries); null for updates without a chat (inline queries, polls, …).
     */
    private static Long chatIdOf(JsonNode body) {
        JsonNode id = body.path("chat").path("id");
        if (!id.canConvertToLong()) {
            id = body.path("message").path("chat").path("id");
        }
        return id.canConvertToLong() ? id.longValue() : null;
    }

    /**
     * The offset rule: after the sink recorded the first {@code recorded} updates of {@code batch}, the next offset
     * is the last of those ids + 1 — never past an update not recorded, and never by "the highest id seen" (ids
     * restart at a random value after a week without updates). With nothing recorded the offset stays.
     */
    static long nextOffset(long current, List<IncomingUpdate> batch, int recorded) {
        if (recorded < 0 || recorded > batch.size()) {
            throw new IllegalArgumentException("the update sink said it recorded " + recorded + " of "
                    + batch.size() + " updates (expected 0.." + batch.size() + ")");
        }
        return recorded == 0 ? current : batch.get(recorded - 1).updateId() + 1;
    }
}

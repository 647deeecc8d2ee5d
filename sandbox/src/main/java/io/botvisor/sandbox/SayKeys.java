package io.botvisor.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Idempotency keys of {@code say}: a say retried with its key (its connection dropped before the answer came) gets
 * the message said the first time, not a second one. Keeps the last {@link #KEPT} keys: a retry comes seconds after
 * its first try, and a long run must not grow. Thread-safe: one lock, held while the message is said, so that two
 * tries of one key at once make one message.
 */
final class SayKeys {

    static final int KEPT = 65_536;

    private record Said(long botId, long chatId, long fromUserId, String text, UserEvent event) {
    }

    private final Map<String, Said> keys = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Said> eldest) {
            return size() > KEPT;
        }
    };

    /** The event said under {@code key} before, or the one {@code say} makes now. */
    synchronized UserEvent once(String key, long botId, long chatId, long fromUserId, String text,
                                Supplier<UserEvent> say) {
        Said before = keys.get(key);
        if (before != null) {
            if (before.botId != botId || before.chatId != chatId || before.fromUserId != fromUserId
                    || !before.text.equals(text)) {
                throw new IllegalArgumentException("sandbox: say: key \"" + key + "\" was used for another message"
                        + " (bot " + before.botId + ", chat " + before.chatId
                        + "; expected a new key for each message)");
            }
            return before.event;
        }
        UserEvent event = say.get();
        keys.put(key, new Said(botId, chatId, fromUserId, text, event));
        return event;
    }
}

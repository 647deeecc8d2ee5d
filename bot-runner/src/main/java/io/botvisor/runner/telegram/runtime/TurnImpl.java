package io.botvisor.runner.telegram.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.botvisor.runner.BotContext;
import io.botvisor.runner.telegram.Turn;
import io.botvisor.runner.telegram.TurnCache;
import io.botvisor.runner.telegram.Update;
import io.botvisor.storage.BotData;
import io.botvisor.storage.Outbox;
import java.sql.Connection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@link Turn} of one update: its transaction's connection, and the cache keys it touched (invalidated if the
 * transaction rolls back). Owned by the handler thread running the update.
 */
final class TurnImpl implements Turn, TurnCache {
    private final Update update;
    private final Connection tx;
    private final BotContext ctx;
    private final Outbox outbox;
    private final BotData data;
    private final ObjectMapper json;
    private final com.github.benmanes.caffeine.cache.Cache<String, Object> cache;
    private final Set<String> touched = new HashSet<>();
    private int queued;

    TurnImpl(Update update, Connection tx, BotContext ctx, Outbox outbox, BotData data, ObjectMapper json,
             com.github.benmanes.caffeine.cache.Cache<String, Object> cache) {
        this.update = update;
        this.tx = tx;
        this.ctx = ctx;
        this.outbox = outbox;
        this.data = data;
        this.json = json;
        this.cache = cache;
    }

    @Override
    public Update update() {
        return update;
    }

    @Override
    public long reply(String text) {
        long chat = update.chatId().orElseThrow(() -> new IllegalStateException(update
                + " has no chat to reply in (use send with a chat id)"));
        ObjectNode p = newPayload().put("chat_id", chat).put("text", text);
        update.messageId().ifPresent(m -> p.putObject("reply_parameters").put("message_id", m)
                .put("allow_sending_without_reply", true));
        return call("sendMessage", chat, p);
    }

    @Override
    public long send(long chatId, String text) {
        return call("sendMessage", chatId, newPayload().put("chat_id", chatId).put("text", text));
    }

    @Override
    public long call(String method, long chatId, ObjectNode payload) {
        if (!payload.has("chat_id") && !method.equals("answerCallbackQuery")) {
            payload.put("chat_id", chatId);
        }
        try {
            queued++;
            return outbox.queue(tx, chatId, update.id(), method, json.writeValueAsString(payload));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload of " + method + " cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    @Override
    public ObjectNode newPayload() {
        return json.createObjectNode();
    }

    @Override
    public void answerCallback(String text) {
        String id = update.callbackQueryId().orElseThrow(() -> new IllegalStateException(update
                + " is not a callback query"));
        ObjectNode p = newPayload().put("callback_query_id", id);
        if (text != null) {
            p.put("text", text);
        }
        call("answerCallbackQuery", update.chatId().orElse(0L), p);
    }

    @Override
    public Connection connection() {
        return tx;
    }

    @Override
    public BotData data() {
        return data;
    }

    @Override
    public TurnCache cache() {
        return this;
    }

    @Override
    public Map<String, String> config() {
        return ctx.config();
    }

    @Override
    public void count(String counter, long delta) {
        ctx.count(counter, delta);
    }

    /** How many calls the handler queued (the sender is woken only when there are some). */
    int queued() {
        return queued;
    }

    /** The transaction rolled back: nothing it put in or loaded into the cache may stay. */
    void rolledBack() {
        cache.invalidateAll(touched);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> V get(String key, Function<String, V> loader) {
        touched.add(key);
        return (V) cache.get(key, loader::apply);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> V getIfPresent(String key) {
        return (V) cache.getIfPresent(key);
    }

    @Override
    public void put(String key, Object value) {
        touched.add(key);
        cache.put(key, value);
    }

    @Override
    public void invalidate(String key) {
        cache.invalidate(key);
    }
}

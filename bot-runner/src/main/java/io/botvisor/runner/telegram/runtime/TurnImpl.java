package io.botvisor.runner.telegram.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.botvisor.runner.BotContext;
import io.botvisor.runner.telegram.DatabaseUnavailableException;
import io.botvisor.runner.telegram.Turn;
import io.botvisor.runner.telegram.TurnCache;
import io.botvisor.runner.telegram.Update;
import io.botvisor.storage.BotData;
import io.botvisor.storage.Outbox;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The {@link Turn} of one update: its transaction's connection, and the cache keys it touched (invalidated if the
 * transaction rolls back). A turn made by {@link #fromJournal} has no database (it is down): its calls are collected
 * for the journal ({@link #journalCalls}) and {@link #connection()} and {@link #data()} throw
 * {@link DatabaseUnavailableException}. Owned by the handler thread running the update.
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
    private final LongSupplier journalIds;
    private final List<JournalEntry.Call> journalCalls = new ArrayList<>();
    private final OutboxChats outboxChats;
    /** Chats this turn queued calls to in the outbox table (told to {@link OutboxChats} when it ends). */
    private final Set<Long> tableChats = new HashSet<>();
    private int queued;

    TurnImpl(Update update, Connection tx, BotContext ctx, Outbox outbox, OutboxChats outboxChats, BotData data,
             ObjectMapper json, com.github.benmanes.caffeine.cache.Cache<String, Object> cache) {
        this.outboxChats = outboxChats;
        this.update = update;
        this.tx = tx;
        this.ctx = ctx;
        this.outbox = outbox;
        this.data = data;
        this.json = json;
        this.cache = cache;
        this.journalIds = null;
    }

    private TurnImpl(Update update, BotContext ctx, ObjectMapper json,
                     com.github.benmanes.caffeine.cache.Cache<String, Object> cache, LongSupplier journalIds) {
        this.outboxChats = null;
        this.update = update;
        this.tx = null;
        this.ctx = ctx;
        this.outbox = null;
        this.data = null;
        this.json = json;
        this.cache = cache;
        this.journalIds = journalIds;
    }

    /** A turn without the database: calls get ids from {@code journalIds} and are kept for the journal. */
    static TurnImpl fromJournal(Update update, BotContext ctx, ObjectMapper json,
                                com.github.benmanes.caffeine.cache.Cache<String, Object> cache, LongSupplier journalIds) {
        return new TurnImpl(update, ctx, json, cache, journalIds);
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
            if (tx == null) {
                long id = journalIds.getAsLong();
                journalCalls.add(new JournalEntry.Call(id, chatId, method, json.writeValueAsString(payload)));
                return id;
            }
            if (tableChats.add(chatId)) {
                outboxChats.opened(chatId);
            }
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
        if (tx == null) {
            throw unavailable("connection()");
        }
        return tx;
    }

    @Override
    public BotData data() {
        if (data == null) {
            throw unavailable("data()");
        }
        return data;
    }

    private DatabaseUnavailableException unavailable(String what) {
        return new DatabaseUnavailableException("bot '" + ctx.botId() + "': " + update + " is handled while the "
                + "database cannot be reached: Turn." + what + " is unavailable (replies and the cache work; "
                + "telegram.whenDatabaseDown decides what happens to the update)");
    }

    /** The calls a journal turn queued, in order. */
    List<JournalEntry.Call> journalCalls() {
        return journalCalls;
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

    /**
     * The transaction ended: {@code commitAsked} — its commit was asked for (committed, or its end unknown: see
     * {@link OutboxChats#closed}); otherwise it rolled back before that, and none of its calls can be in the table.
     */
    void ended(boolean commitAsked) {
        if (!tableChats.isEmpty()) {
            if (commitAsked) {
                outboxChats.closed(tableChats);
            } else {
                outboxChats.rolledBack(tableChats);
            }
            tableChats.clear();
        }
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

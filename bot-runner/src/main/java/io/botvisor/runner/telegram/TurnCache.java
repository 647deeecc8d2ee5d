package io.botvisor.runner.telegram;

import java.util.function.Function;

/**
 * The bot's in-memory cache as one handler sees it: shared by all handlers of the bot, bounded (config
 * {@code cache.maxEntries}, 10,000 by default, least recently used go first), and transactional in one direction —
 * every key the handler put or loaded is invalidated when its transaction rolls back, so no value from a rolled-back
 * transaction outlives it. Belongs to its {@link Turn}.
 */
public interface TurnCache {

    /** The cached value, or {@code loader}'s (cached, unless it returns null). */
    <V> V get(String key, Function<String, V> loader);

    /** The cached value, or null. */
    <V> V getIfPresent(String key);

    void put(String key, Object value);

    void invalidate(String key);
}

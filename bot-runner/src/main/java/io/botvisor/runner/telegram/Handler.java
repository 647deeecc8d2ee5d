package io.botvisor.runner.telegram;

/**
 * What a bot does with one update. It runs inside one database transaction ({@link Turn#connection()}): whatever it
 * writes and every reply it queues commit together with the update being marked handled, or none of it happens.
 * Throwing rolls it all back; the update is tried again (three times in all), then skipped with an ERROR in the bot's
 * log and the {@code telegram_handler_errors} counter — never silently.
 */
@FunctionalInterface
public interface Handler {
    void handle(Turn turn) throws Exception;
}

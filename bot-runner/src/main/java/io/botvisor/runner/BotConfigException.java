package io.botvisor.runner;

/**
 * Thrown by a bot's {@link Bot#start} (or by {@link BotContext#durationConfig} for it) when the bot's configuration is
 * wrong: a missing or malformed {@code config:} value, an unknown key, later a credential the service rejects. No
 * restart can cure it, so the child exits with {@code ChildExit.CONFIG_ERROR} (78) and the supervisor does not
 * restart the bot: it stays FAILED until its configuration is fixed. Any other exception from {@code start} is
 * treated as possibly passing (a dependency down) and restarted with backoff.
 *
 * <p>The message is shown to the operator as it is, on one line, after the bot's id (the runtime and the supervisor
 * add the id): it names the field, the bad value and what was expected, e.g.
 * {@code config.crashAfter "5x" is not a duration (expected e.g. 500ms, 10s, 5m, 1h, 30d)}. It must not contain a
 * secret. Immutable.
 */
public class BotConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BotConfigException(String message) {
        super(message);
    }

    public BotConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}

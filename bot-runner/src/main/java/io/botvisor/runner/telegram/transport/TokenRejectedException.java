package io.botvisor.runner.telegram.transport;

/**
 * Telegram answered 401 (or 404 on getMe): the token is wrong or revoked. Restarting cannot help; the runtime ends
 * the bot as a configuration error ("Telegram rejected the token").
 */
public final class TokenRejectedException extends TransportException {
    public TokenRejectedException(String message) {
        super(message);
    }
}

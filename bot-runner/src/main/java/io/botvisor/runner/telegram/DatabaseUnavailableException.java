package io.botvisor.runner.telegram;

/**
 * Thrown by {@link Turn#connection()} and {@link Turn#data()} while the bot's database cannot be reached: the update is
 * being handled from the bot's local journal, where replies ({@code reply}, {@code send}, {@code call}) and the cache
 * still work but the database does not. A handler may catch it and answer without its data; if it lets it go, the bot's
 * {@code telegram.whenDatabaseDown} decides: {@code wait} (the update, and its chat's later ones, wait until the
 * database is back) or {@code apologize} (the reply {@code telegram.apology} is sent and the update counts as handled).
 */
public final class DatabaseUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatabaseUnavailableException(String message) {
        super(message);
    }
}

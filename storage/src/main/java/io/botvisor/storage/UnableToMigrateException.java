package io.botvisor.storage;

/** A migration, rollback or validation of the schema failed; nothing of the failed change was kept. */
public class UnableToMigrateException extends StorageException {
    public UnableToMigrateException(String message, Throwable cause) {
        super(message, cause);
    }
}

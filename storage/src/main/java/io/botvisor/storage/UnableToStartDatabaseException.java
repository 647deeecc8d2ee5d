package io.botvisor.storage;

/** The embedded PostgreSQL server could not be initialised or started. */
public class UnableToStartDatabaseException extends StorageException {
    public UnableToStartDatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}

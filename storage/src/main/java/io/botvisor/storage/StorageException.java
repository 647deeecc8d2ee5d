package io.botvisor.storage;

/** Root of every failure raised by the storage module (the schema, migrations and pools arrive with issue 3). */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}

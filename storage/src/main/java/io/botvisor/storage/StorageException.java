package io.botvisor.storage;

/** Root of every failure raised by the storage module; subclasses are named for what failed. */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}

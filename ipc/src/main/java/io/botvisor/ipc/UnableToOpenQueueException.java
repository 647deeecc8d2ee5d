package io.botvisor.ipc;

/** A queue directory could not be opened or created. */
public class UnableToOpenQueueException extends IpcException {
    public UnableToOpenQueueException(String message, Throwable cause) {
        super(message, cause);
    }
}

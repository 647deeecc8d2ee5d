package io.botvisor.ipc;

/** Root of every failure raised by the ipc module. Unchecked: callers decide where a failure is handled. */
public class IpcException extends RuntimeException {
    public IpcException(String message) {
        super(message);
    }

    public IpcException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.botvisor.ipc;

/** A message on a queue could not be decoded: unknown version or type, a missing or unparsable field. */
public class MalformedMessageException extends IpcException {
    public MalformedMessageException(String message) {
        super(message);
    }
}

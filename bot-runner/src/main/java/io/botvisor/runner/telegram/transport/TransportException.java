package io.botvisor.runner.telegram.transport;

/** Root of the transport's unchecked exceptions; messages are redacted (never hold the token). */
public class TransportException extends RuntimeException {
    public TransportException(String message) {
        super(Redaction.redact(message));
    }
}

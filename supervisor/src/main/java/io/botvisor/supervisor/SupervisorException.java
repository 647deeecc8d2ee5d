package io.botvisor.supervisor;

/** Root of every failure raised by the supervisor module. */
public class SupervisorException extends RuntimeException {
    public SupervisorException(String message) {
        super(message);
    }

    public SupervisorException(String message, Throwable cause) {
        super(message, cause);
    }
}

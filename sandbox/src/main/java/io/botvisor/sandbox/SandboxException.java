package io.botvisor.sandbox;

/**
 * The sandbox module's unchecked root: a sandbox that could not do what it was asked (start listening). Bad arguments
 * to the Java API are {@link IllegalArgumentException}s, whose text names the value and what was expected.
 */
public class SandboxException extends RuntimeException {

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}

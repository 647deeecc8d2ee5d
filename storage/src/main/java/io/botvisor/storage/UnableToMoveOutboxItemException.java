package io.botvisor.storage;

import java.util.Optional;

/**
 * An outbox item could not be moved to a state because the state it is in does not allow it ({@code Outbox.TRANSITIONS})
 * or it does not exist: nothing was changed. {@link #current()} is the state it is in (empty: no such item). A sender
 * that records an outcome a second time — the first write committed, but its answer was lost with the connection —
 * finds the item already in the target state.
 */
public final class UnableToMoveOutboxItemException extends StorageException {
    private static final long serialVersionUID = 1L;
    private final transient Outbox.State current;

    UnableToMoveOutboxItemException(String message, Outbox.State current) {
        super(message);
        this.current = current;
    }

    public Optional<Outbox.State> current() {
        return Optional.ofNullable(current);
    }
}

package io.botvisor.runner.telegram.transport;

import java.util.List;

/** Where the poller hands each batch (the bot's inbox). Called on the poller's thread only. */
@FunctionalInterface
public interface UpdateSink {
    /**
     * Durably records these (in order; an update already recorded is not an error: dedupe by its id); returns how
     * many from the start of the list are recorded (all, normally); throws when none could be.
     */
    int record(List<IncomingUpdate> updates) throws Exception;
}

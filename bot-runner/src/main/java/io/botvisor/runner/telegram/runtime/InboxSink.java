package io.botvisor.runner.telegram.runtime;

import io.botvisor.runner.telegram.transport.IncomingUpdate;
import io.botvisor.runner.telegram.transport.UpdateSink;
import io.botvisor.storage.Inbox;
import java.util.ArrayList;
import java.util.List;

/**
 * The poller's batches into the bot's inbox, all or nothing, in one transaction ({@link Inbox#record}); the poller
 * confirms them to Telegram only after this returns. Then the dispatcher is told. Used on the poller's thread.
 */
final class InboxSink implements UpdateSink {
    private final Inbox inbox;
    private final Runnable onRecorded;

    InboxSink(Inbox inbox, Runnable onRecorded) {
        this.inbox = inbox;
        this.onRecorded = onRecorded;
    }

    @Override
    public int record(List<IncomingUpdate> updates) {
        List<Inbox.Received> batch = new ArrayList<>(updates.size());
        for (IncomingUpdate u : updates) {
            batch.add(new Inbox.Received(u.updateId(), u.kind(), u.chatId(), u.json()));
        }
        inbox.record(batch); // throws when not durable: nothing is confirmed
        onRecorded.run();
        return updates.size();
    }
}

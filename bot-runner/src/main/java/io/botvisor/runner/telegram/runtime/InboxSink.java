package io.botvisor.runner.telegram.runtime;

import io.botvisor.runner.telegram.transport.IncomingUpdate;
import io.botvisor.runner.telegram.transport.UpdateSink;
import io.botvisor.storage.Inbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The poller's batches into the bot's inbox, all or nothing, in one transaction ({@link Inbox#record}); when the
 * database cannot take them within its {@link Patience} (down, or hanging), into the bot's journal instead
 * ({@link Offline#received}), and into the journal for as long as the journal is not replayed (so an update never
 * lands in the inbox ahead of an earlier one still in the journal). The poller confirms them to Telegram only after
 * this returns: nothing is confirmed that is not in one or the other. A full journal throws: nothing is confirmed.
 * The dispatcher hears of a batch before it is written ({@code onRecording}: a read of the inbox may return it before
 * this thread runs again) and after, with the ids the write recorded ({@code onRecorded}). Used on the poller's
 * thread.
 */
final class InboxSink implements UpdateSink {
    private final Inbox inbox;
    private final DbGate db;
    private final Offline offline;
    private final Consumer<List<IncomingUpdate>> onRecording;
    private final BiConsumer<List<IncomingUpdate>, Set<Long>> onRecorded;
    private final Consumer<List<IncomingUpdate>> onJournaled;
    private final Runnable onFull;

    InboxSink(Inbox inbox, DbGate db, Offline offline, Consumer<List<IncomingUpdate>> onRecording,
              BiConsumer<List<IncomingUpdate>, Set<Long>> onRecorded, Consumer<List<IncomingUpdate>> onJournaled,
              Runnable onFull) {
        this.inbox = inbox;
        this.db = db;
        this.offline = offline;
        this.onRecording = onRecording;
        this.onRecorded = onRecorded;
        this.onJournaled = onJournaled;
        this.onFull = onFull;
    }

    @Override
    public int record(List<IncomingUpdate> updates) throws Exception {
        while (true) {
            int n;
            try {
                n = offline.down() ? offline.received(updates) : -1;
            } catch (Journal.FullException e) {
                onFull.run();
                throw e; // nothing is confirmed: Telegram keeps the updates
            }
            if (n >= 0) {
                onJournaled.accept(updates.subList(0, n));
                return n;
            }
            List<Inbox.Received> batch = new ArrayList<>(updates.size());
            for (IncomingUpdate u : updates) {
                batch.add(new Inbox.Received(u.updateId(), u.kind(), u.chatId(), u.json()));
            }
            onRecording.accept(updates);
            try {
                Set<Long> recorded = db.call(() -> inbox.record(batch));
                onRecorded.accept(updates, recorded);
                return updates.size();
            } catch (DbGate.DownException e) {
                // If the write lands after all, the replay's record of the same ids adds nothing.
                offline.wentDown("the inbox could not record " + updates.size() + " updates: " + e.getMessage());
            }
        }
    }
}

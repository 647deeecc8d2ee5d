package io.botvisor.runner.telegram.runtime;

import io.botvisor.runner.telegram.transport.OutboxPort;
import io.botvisor.runner.telegram.transport.OutgoingCall;
import io.botvisor.runner.telegram.transport.UncertainPolicy;
import io.botvisor.storage.Outbox;
import io.botvisor.storage.UnableToMoveOutboxItemException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender's view of the bot's outbox table and of the calls handlers queued in the journal while the database was
 * down. Journal calls have negative ids: their claim and outcome are journaled ({@link Offline}) until the replay puts
 * them in the outbox, and go to their outbox row from then on. Outbox calls are read and moved with a deadline
 * ({@link DbGate}), so a hanging database cannot stall the sender's thread and the journal's calls behind it; while the
 * bot runs from its journal the outbox is not read at all. Used on the sender's thread and its workers.
 */
final class OutboxPortAdapter implements OutboxPort {
    private static final Logger log = LoggerFactory.getLogger(OutboxPortAdapter.class);
    private final Outbox outbox;
    private final DbGate db;
    private final Offline offline;
    /** The chat of each outbox call read and not finished yet, for {@link OutboxChats#finished}. */
    private final Map<Long, Long> readChats = new ConcurrentHashMap<>();

    OutboxPortAdapter(Outbox outbox, DbGate db, Offline offline) {
        this.outbox = outbox;
        this.db = db;
        this.offline = offline;
    }

    @Override
    public List<OutgoingCall> sendable(int limit) {
        List<OutgoingCall> out = new ArrayList<>(offline.sendable(limit));
        if (!offline.down() && out.size() < limit) {
            int rest = limit - out.size();
            List<Outbox.Item> items;
            OutboxChats chats = offline.outboxChats();
            try {
                long mark = chats.mark();
                items = database(() -> {
                    List<Outbox.Item> sendable = outbox.sendable(rest);
                    chats.read(mark, outbox.unsentChats(OutboxChats.MAX));
                    return sendable;
                });
            } catch (RuntimeException e) {
                if (out.isEmpty()) {
                    throw e; // the sender backs off
                }
                return out; // the journal's calls go all the same; the outbox is read again later
            }
            for (Outbox.Item i : items) {
                readChats.put(i.id(), i.chatId());
                out.add(new OutgoingCall(i.id(), i.chatId(), i.method(), i.payloadJson(), i.attempts(),
                        i.resent()));
            }
        }
        return out;
    }

    @Override
    public boolean sending(long id) {
        if (id < 0) {
            Long row = offline.outboxId(id);
            if (row == null) {
                if (offline.claim(id)) {
                    return true;
                }
                row = offline.outboxId(id); // the replay may have moved it to the outbox meanwhile
                if (row == null) {
                    return false;
                }
            }
            long r = row;
            return database(() -> outbox.claim(r));
        }
        if (offline.down()) {
            // Read before the outage: not claimed now (a stopped server would hold this worker for the deadline), and
            // its chat stays held (OutboxChats) until the replay, after which the next read offers it again.
            return false;
        }
        return database(() -> outbox.claim(id));
    }

    @Override
    public void sent(long id, Long telegramMessageId) {
        settle(id, Outbox.State.SENT, telegramMessageId, null);
    }

    @Override
    public void uncertain(long id, String reason) {
        settle(id, Outbox.State.UNCERTAIN, null, reason);
    }

    @Override
    public void failed(long id, String reason) {
        settle(id, Outbox.State.FAILED, null, reason);
    }

    @Override
    public void requeue(long id, String reason) {
        settle(id, Outbox.State.QUEUED, null, reason);
    }

    @Override
    public void resendOnce(long id) {
        settle(id, Outbox.State.QUEUED, null, UncertainPolicy.SENT_ONCE_MORE);
    }

    /**
     * Under the journal's lock, and only while the bot is on its database: the replay of this process's journal (which
     * holds that lock, while the database is down) may put a journal call in flight in the outbox as sending; the
     * in-flight journal calls are mapped to their rows here.
     */
    @Override
    public int requeueStray(Set<Long> inFlight) {
        if (offline.down()) {
            return -1;
        }
        try {
            return offline.exclusive(() -> {
                if (offline.down()) {
                    return -1;
                }
                List<Long> rows = new ArrayList<>();
                for (long id : inFlight) {
                    Long row = id < 0 ? offline.outboxId(id) : Long.valueOf(id);
                    if (row != null) {
                        rows.add(row);
                    }
                }
                return database(() -> outbox.requeueStray(rows, "claimed while the database failed, never sent: "
                        + "queued again"));
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int migrateChat(long oldChatId, long newChatId) {
        // Journal calls are sent to the new chat by the sender itself (it remembers the move); the outbox's move waits
        // for the database when it is down.
        return offline.down() ? 0 : database(() -> outbox.migrateChat(oldChatId, newChatId));
    }

    private void settle(long id, Outbox.State state, Long messageId, String reason) {
        long row = id;
        if (id < 0) {
            Long moved = offline.outboxId(id);
            if (moved == null) {
                if (offline.outcome(id, state, messageId, reason)) {
                    return;
                }
                moved = offline.outboxId(id);
                if (moved == null) {
                    return; // its update was found handled in the database already: nothing to record
                }
            }
            row = moved;
        }
        long r = row;
        if (id >= 0 && state != Outbox.State.QUEUED) {
            Long chat = readChats.remove(id);
            if (chat != null) {
                offline.outboxChats().finished(chat); // before the outcome is written: see finished
            }
        }
        if (offline.down()) {
            // Owed at once (the sender writes it after the replay): waiting for a stopped server's deadline here
            // held the sender's thread 5 s at every turn, and the journal's replies with it, for the whole outage.
            throw new io.botvisor.storage.StorageException("outbox item " + r + ": outcome " + state
                    + " not recorded yet: the bot runs from its journal until the database is back");
        }
        try {
            switch (state) {
                case SENT -> database(() -> {
                    outbox.markSent(r, messageId);
                    return null;
                });
                case UNCERTAIN -> database(() -> {
                    outbox.markUncertain(r, reason);
                    return null;
                });
                case FAILED -> database(() -> {
                    outbox.markFailed(r, reason);
                    return null;
                });
                default -> database(() -> {
                    if (UncertainPolicy.SENT_ONCE_MORE.equals(reason)) {
                        outbox.resendOnce(r, reason);
                    } else {
                        outbox.requeue(r, reason);
                    }
                    return null;
                });
            }
        } catch (UnableToMoveOutboxItemException e) {
            if (e.current().orElse(null) != state) {
                // Not retried: the item moved on (its state says what became of it); the sender goes on.
                log.warn("outbox item {}: outcome {} not recorded: {}", r, state, e.getMessage());
            } // else: recorded before — the first write committed and its answer was lost with the connection
        }
    }

    /** An outbox call with a deadline; throws (the sender backs off, or keeps the outcome owed) when it fails. */
    private <T> T database(DbGate.Call<T> call) {
        try {
            return db.call(call);
        } catch (DbGate.DownException e) {
            offline.wentDown("the outbox: " + e.getMessage());
            throw new io.botvisor.storage.StorageException("the outbox cannot be reached: " + e.getMessage(), e);
        }
    }
}

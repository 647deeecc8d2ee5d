package io.botvisor.runner.telegram.runtime;

import io.botvisor.runner.telegram.transport.OutboxPort;
import io.botvisor.runner.telegram.transport.OutgoingCall;
import io.botvisor.storage.Outbox;
import java.util.ArrayList;
import java.util.List;

/** The sender's view of the bot's outbox table. Used on the sender's thread. */
final class OutboxPortAdapter implements OutboxPort {
    private final Outbox outbox;

    OutboxPortAdapter(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public List<OutgoingCall> sendable(int limit) {
        List<OutgoingCall> out = new ArrayList<>();
        for (Outbox.Item i : outbox.sendable(limit)) {
            out.add(new OutgoingCall(i.id(), i.chatId(), i.method(), i.payloadJson(), i.attempts()));
        }
        return out;
    }

    @Override
    public boolean sending(long id) {
        return outbox.claim(id);
    }

    @Override
    public void sent(long id, Long telegramMessageId) {
        outbox.markSent(id, telegramMessageId);
    }

    @Override
    public void uncertain(long id, String reason) {
        outbox.markUncertain(id, reason);
    }

    @Override
    public void failed(long id, String reason) {
        outbox.markFailed(id, reason);
    }

    @Override
    public void requeue(long id, String reason) {
        outbox.requeue(id, reason);
    }

    @Override
    public int migrateChat(long oldChatId, long newChatId) {
        return outbox.migrateChat(oldChatId, newChatId);
    }
}

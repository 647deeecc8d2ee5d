package io.botvisor.runner.telegram.transport;

import java.util.List;
import java.util.Set;

/**
 * The sender's view of the bot's outbox. Called from the sender's thread and its workers at once (never two calls
 * about one row at the same time): implementations are thread-safe. Any method may throw when the database is down
 * (the sender then backs off and tries again, the rows stay).
 */
public interface OutboxPort {
    /**
     * Up to {@code limit} calls to make now: per chat in order, at most one per chat and none for a chat that has a
     * call in flight ({@code sending}).
     */
    List<OutgoingCall> sendable(int limit);

    /**
     * The call is about to be made (one more attempt): queued → sending. False, changing nothing, when it is not
     * queued any more (it was read just before an earlier attempt ended): it is then not made.
     */
    boolean sending(long id);

    /** Telegram accepted it; {@code telegramMessageId} is the result's message_id (null when the result has none). */
    void sent(long id, Long telegramMessageId);

    /** The request was written but its response was lost: it may have been delivered. Not retried. */
    void uncertain(long id, String reason);

    /** Telegram refused it for good (400, 403): {@code reason} is its description. */
    void failed(long id, String reason);

    /** Back to queued, to be retried (it did not reach Telegram, or Telegram asked to wait). */
    void requeue(long id, String reason);

    /**
     * Back to queued to be sent once more after a send in doubt (uncertainSends: retry-once), marked so for good: read
     * again, by this process or the next, it is {@link OutgoingCall#resent}.
     */
    void resendOnce(long id);

    /**
     * The group became supergroup {@code newChatId}: queued calls of {@code oldChatId} move to it (chat id and the
     * payload's {@code chat_id}); returns how many moved.
     */
    int migrateChat(long oldChatId, long newChatId);

    /**
     * Calls in {@code sending} that are not in {@code inFlight} (the ids of the calls the sender is making) were
     * never made — their claim committed though its caller saw it fail (its answer lost, or it committed after the
     * caller gave up) —: back to queued. Returns how many, or -1 when it cannot look now (the outbox is down).
     * Called only while no outcome is owed.
     */
    int requeueStray(Set<Long> inFlight);
}

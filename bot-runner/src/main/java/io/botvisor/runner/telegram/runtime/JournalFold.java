package io.botvisor.runner.telegram.runtime;

import io.botvisor.storage.Outbox;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What replaying a journal means for the database, as data: its records folded into one {@link Plan} per update, each
 * call with its last known state. Pure. A handled update comes where it was handled, the others where they were
 * received: restored calls get their outbox ids in the order their handlers queued them, so each chat's replies keep
 * their order (an update recorded in the inbox before the outage and handled from the journal has no received record,
 * and its chat's next update may have been journaled before it was handled: in received order its replies would
 * follow that update's).
 *
 * <p>A plan is applied inside a transaction (with others: {@link Replayer#BATCH}): the update recorded unless the inbox
 * has it, and — when it was handled from the journal — marked handled and its calls restored, unless it was marked
 * handled already (then nothing of the plan is written: the inbox had it). So applying a plan twice writes it once,
 * and a replay cut anywhere can simply run again.
 */
final class JournalFold {
    static final String IN_FLIGHT_AT_EXIT = "in flight when its process ended";
    static final String SENT_ONCE_MORE = io.botvisor.runner.telegram.transport.UncertainPolicy.SENT_ONCE_MORE;

    /**
     * A call as the journal leaves it. {@code reason} is the last error, or null; {@code resent}: it was queued again
     * to be sent once more after a send in doubt (an outcome {@code queued} with reason {@link #SENT_ONCE_MORE}), ever.
     */
    record CallState(JournalEntry.Call call, Outbox.State state, int attempts, Long messageId, String reason,
                     boolean resent) {
    }

    /** One update: received, and handled (with its calls) or not. */
    record Plan(JournalEntry.Received update, boolean handled, List<CallState> calls) {
    }

    private JournalFold() {
    }

    /**
     * Folds {@code entries}. {@code ownerGone}: a call claimed without an outcome was in flight when its process
     * ended and may have reached Telegram: it becomes uncertain — and queued again when {@code retryUncertain}
     * (uncertainSends: retry-once) and it was not sent once more before, as {@code Outbox.recoverInFlight} and the
     * runtime's start do with the outbox. Otherwise (this process's own journal) it stays sending: its outcome comes
     * later.
     */
    static List<Plan> fold(List<JournalEntry> entries, boolean ownerGone, boolean retryUncertain) {
        Map<Long, JournalEntry.Received> updates = new LinkedHashMap<>();
        Map<Long, List<JournalEntry.Call>> handled = new LinkedHashMap<>();
        Map<Long, Mutable> calls = new LinkedHashMap<>();
        Map<Long, Integer> position = new java.util.HashMap<>();
        int index = 0;
        for (JournalEntry e : entries) {
            index++;
            if (e instanceof JournalEntry.Received r) {
                updates.putIfAbsent(r.updateId(), r);
                position.putIfAbsent(r.updateId(), index);
            } else if (e instanceof JournalEntry.Handled h) {
                updates.putIfAbsent(h.update().updateId(), h.update());
                if (handled.putIfAbsent(h.update().updateId(), h.calls()) == null) {
                    position.put(h.update().updateId(), index); // handled: where it was handled

                    for (JournalEntry.Call c : h.calls()) {
                        calls.put(c.callId(), new Mutable(c));
                    }
                }
            } else if (e instanceof JournalEntry.Claimed c) {
                Mutable m = calls.get(c.callId());
                if (m != null) {
                    m.state = Outbox.State.SENDING;
                    m.attempts++;
                }
            } else if (e instanceof JournalEntry.Outcome o) {
                Mutable m = calls.get(o.callId());
                if (m != null) {
                    m.state = Outbox.State.valueOf(o.state().toUpperCase(java.util.Locale.ROOT));
                    m.messageId = o.messageId();
                    m.reason = o.reason();
                    m.resent |= m.state == Outbox.State.QUEUED && SENT_ONCE_MORE.equals(o.reason());
                }
            }
        }
        List<JournalEntry.Received> ordered = new ArrayList<>(updates.values());
        ordered.sort(java.util.Comparator.comparingInt(r -> position.get(r.updateId())));
        List<Plan> out = new ArrayList<>(updates.size());
        for (JournalEntry.Received r : ordered) {
            List<JournalEntry.Call> queued = handled.get(r.updateId());
            List<CallState> states = new ArrayList<>();
            if (queued != null) {
                for (JournalEntry.Call c : queued) {
                    states.add(calls.get(c.callId()).settle(ownerGone, retryUncertain));
                }
            }
            out.add(new Plan(r, queued != null, states));
        }
        return out;
    }

    private static final class Mutable {
        final JournalEntry.Call call;
        Outbox.State state = Outbox.State.QUEUED;
        int attempts;
        Long messageId;
        String reason;
        boolean resent;

        Mutable(JournalEntry.Call call) {
            this.call = call;
        }

        CallState settle(boolean ownerGone, boolean retryUncertain) {
            if (ownerGone && state == Outbox.State.SENDING) {
                if (retryUncertain && !resent) {
                    return new CallState(call, Outbox.State.QUEUED, attempts, null, SENT_ONCE_MORE, true);
                }
                return new CallState(call, Outbox.State.UNCERTAIN, attempts, null, IN_FLIGHT_AT_EXIT, resent);
            }
            return new CallState(call, state, attempts, messageId, reason, resent);
        }
    }
}

package io.botvisor.runner.telegram.runtime;

import io.botvisor.runner.telegram.transport.IncomingUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The updates this process is recording or recorded in the inbox that no inbox read has returned yet, oldest first
 * (at most {@link #MAX}); kept from before the write, since a read may return them before the poller hears that the
 * write committed. When the database goes down before they are read, the dispatcher takes them all ({@link #takeAll})
 * into their lanes ahead of the journal's updates, so that a chat's later update never overtakes them. Not
 * thread-safe: the dispatcher's lock guards it.
 */
final class UnreadUpdates {
    private static final Logger log = LoggerFactory.getLogger(UnreadUpdates.class);
    /** Updates kept at most (their payloads: ~1 KB each). */
    static final int MAX = 2_000;

    /** One recorded update and when it was recorded. */
    record Recorded(IncomingUpdate update, long atMillis) { }

    private final LinkedHashMap<Long, Recorded> byId = new LinkedHashMap<>();
    /** Updates recorded while full since it was last empty (their chats' order across an outage is not kept). */
    private long overflow;
    private long takes;

    /** The poller records these at {@code nowMillis}; those past {@link #MAX} are not kept (logged once a spell). */
    void recorded(List<IncomingUpdate> updates, long nowMillis) {
        for (IncomingUpdate u : updates) {
            if (byId.size() >= MAX) {
                if (overflow++ == 0) {
                    log.warn("more than {} updates recorded and not yet read back from the inbox: if the database goes "
                            + "down now, a chat's update the journal takes may be answered before them", MAX);
                }
                continue;
            }
            byId.put(u.updateId(), new Recorded(u, nowMillis));
        }
    }

    /**
     * The inbox write of {@code updates} committed, recording {@code recorded} of them: the others it held already
     * (handled, or recorded before and read as such), and no read returns them as this write's: they are not kept
     * (kept, a later outage would hand an update handled long ago to the journal).
     */
    void written(List<IncomingUpdate> updates, java.util.Set<Long> recorded) {
        for (IncomingUpdate u : updates) {
            if (!recorded.contains(u.updateId())) {
                readBack(u.updateId());
            }
        }
    }

    /** An inbox read returned this update. */
    void readBack(long updateId) {
        byId.remove(updateId);
        if (byId.isEmpty()) {
            overflow = 0;
        }
    }

    /** How many times updates were taken: an inbox read that began before the count changed may hold one of them. */
    long takes() {
        return takes;
    }

    /** Every update kept, oldest first, and none left. */
    List<Recorded> takeAll() {
        if (byId.isEmpty()) {
            return List.of();
        }
        takes++;
        List<Recorded> all = new ArrayList<>(byId.values());
        byId.clear();
        overflow = 0;
        return all;
    }

    int size() {
        return byId.size();
    }
}

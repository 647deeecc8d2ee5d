package io.botvisor.runner.telegram.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.runner.telegram.transport.IncomingUpdate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnreadUpdatesTest {

    private final UnreadUpdates unread = new UnreadUpdates();

    private static IncomingUpdate update(long id) {
        return new IncomingUpdate(id, "message", 7L, "{\"update_id\":" + id + "}");
    }

    @Test
    void takeAllGivesTheUpdatesNotReadBackOldestFirst() {
        unread.recorded(List.of(update(1), update(2), update(3)), 100);
        unread.readBack(2);

        assertThat(unread.takeAll()).extracting(r -> r.update().updateId()).containsExactly(1L, 3L);
        assertThat(unread.size()).isZero();
    }

    @Test
    void takingUpdatesChangesTheCountAReadComparesAgainst() {
        long before = unread.takes();
        unread.recorded(List.of(update(1)), 100);

        unread.takeAll();

        assertThat(unread.takes()).isEqualTo(before + 1);
    }

    @Test
    void takingNothingLeavesTheCountAlone() {
        long before = unread.takes();

        assertThat(unread.takeAll()).isEmpty();
        assertThat(unread.takes()).isEqualTo(before);
    }

    @Test
    void updatesPastTheCapAreNotKept() {
        List<IncomingUpdate> many = new ArrayList<>();
        for (long id = 1; id <= UnreadUpdates.MAX + 5; id++) {
            many.add(update(id));
        }

        unread.recorded(many, 100);

        assertThat(unread.size()).isEqualTo(UnreadUpdates.MAX);
        assertThat(unread.takeAll().get(UnreadUpdates.MAX - 1).update().updateId()).isEqualTo(UnreadUpdates.MAX);
    }

    @Test
    void anUpdateKeepsTheTimeItWasRecorded() {
        unread.recorded(List.of(update(1)), 100);
        unread.recorded(List.of(update(2)), 250);

        assertThat(unread.takeAll()).extracting(UnreadUpdates.Recorded::atMillis).containsExactly(100L, 250L);
    }

    @Test
    void anUpdateTheInboxHeldAlreadyIsNotKeptOnceTheWriteCommitted() {
        unread.recorded(List.of(update(1), update(2), update(3)), 100);

        unread.written(List.of(update(1), update(2), update(3)), java.util.Set.of(1L, 3L));

        assertThat(unread.takeAll()).extracting(r -> r.update().updateId()).containsExactly(1L, 3L);
    }

    @Test
    void anUpdateReadBackBeforeItsWriteWasHeardOfIsNotKept() {
        unread.recorded(List.of(update(1)), 100); // before the write
        unread.readBack(1); // a read returned it before the poller's thread ran again

        unread.written(List.of(update(1)), java.util.Set.of(1L));

        assertThat(unread.takeAll()).isEmpty();
    }
}

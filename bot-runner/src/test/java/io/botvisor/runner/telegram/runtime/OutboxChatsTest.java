package io.botvisor.runner.telegram.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutboxChatsTest {
    private final OutboxChats chats = new OutboxChats();

    @Test
    void everyChatIsHeldBeforeTheFirstRead() {
        assertThat(chats.held(1)).isTrue();
        chats.read(chats.mark(), Map.of());
        assertThat(chats.held(1)).isFalse();
    }

    @Test
    void aChatTheReadFoundWithUnsentCallsIsHeldUntilAReadFindsNone() {
        chats.read(chats.mark(), Map.of(5L, 1));
        assertThat(chats.held(5)).isTrue();
        assertThat(chats.held(6)).isFalse();
        chats.read(chats.mark(), Map.of());
        assertThat(chats.held(5)).isFalse();
    }

    @Test
    void aChatIsHeldFromTheMomentATransactionQueuesToItUntilAReadBegunAfterItEnded() {
        chats.read(chats.mark(), Map.of());
        chats.opened(7);
        assertThat(chats.held(7)).as("not committed yet: its commit may land").isTrue();
        long during = chats.mark();
        chats.read(during, Map.of());
        assertThat(chats.held(7)).as("a read while it is open").isTrue();
        long before = chats.mark();
        chats.closed(List.of(7L));
        chats.read(before, Map.of());
        assertThat(chats.held(7)).as("a read begun before it ended may have missed its calls").isTrue();
        chats.read(chats.mark(), Map.of());
        assertThat(chats.held(7)).isFalse();
    }

    @Test
    void aTransactionRolledBackBeforeItsCommitWasAskedForHoldsNothingOnceEnded() {
        chats.read(chats.mark(), Map.of());
        chats.opened(9);
        assertThat(chats.held(9)).isTrue();
        chats.rolledBack(List.of(9L));
        assertThat(chats.held(9)).as("none of its calls can be in the table").isFalse();
        assertThat(chats.describe()).isEqualTo("0 chat(s): 0 with a transaction in progress, 0 with a transaction "
                + "ended since the last read of the outbox, 0 with calls that read found unsent");
    }

    @Test
    void aRolledBackTransactionDoesNotLetGoAChatAnotherOneHolds() {
        chats.read(chats.mark(), Map.of(9L, 1));
        chats.opened(9);
        chats.opened(10);
        chats.opened(10);
        chats.rolledBack(List.of(9L, 10L));
        assertThat(chats.held(9)).as("the read counted an unsent call").isTrue();
        assertThat(chats.held(10)).as("the other transaction is still open").isTrue();
        assertThat(chats.describe()).isEqualTo("2 chat(s): 1 with a transaction in progress, 0 with a transaction "
                + "ended since the last read of the outbox, 1 with calls that read found unsent");
    }

    @Test
    void twoTransactionsOfOneChatHoldItUntilBothEnded() {
        chats.read(chats.mark(), Map.of());
        chats.opened(8);
        chats.opened(8);
        chats.closed(List.of(8L));
        chats.read(chats.mark(), Map.of());
        assertThat(chats.held(8)).isTrue();
        chats.closed(List.of(8L));
        chats.read(chats.mark(), Map.of());
        assertThat(chats.held(8)).isFalse();
    }

    @Test
    void moreChatsWithUnsentCallsThanTheMaximumHoldEveryChat() {
        Map<Long, Integer> many = new HashMap<>();
        for (long c = 0; c <= OutboxChats.MAX; c++) {
            many.put(c, 1);
        }
        chats.read(chats.mark(), many);
        assertThat(chats.held(-1)).isTrue();
        chats.read(chats.mark(), Map.of(1L, 1));
        assertThat(chats.held(-1)).isFalse();
    }

    @Test
    void aChatIsLetGoOnceTheSenderFinishedEveryCallTheReadCounted() {
        chats.read(chats.mark(), Map.of(3L, 2));
        chats.finished(3);
        assertThat(chats.held(3)).as("one of two left").isTrue();
        chats.finished(3);
        assertThat(chats.held(3)).isFalse();
    }

    @Test
    void aChatATransactionQueuedToSinceTheReadIsNotLetGoByFinishedCalls() {
        chats.read(chats.mark(), Map.of(3L, 1));
        chats.opened(3);
        chats.closed(List.of(3L));
        chats.finished(3);
        assertThat(chats.held(3)).as("how many that transaction added is not known").isTrue();
        chats.read(chats.mark(), Map.of());
        assertThat(chats.held(3)).isFalse();
    }
}

package io.botvisor.runner.telegram.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OutboxChatsTest {
    private final OutboxChats chats = new OutboxChats();

    @Test
    void everyChatIsHeldBeforeTheFirstRead() {
        assertThat(chats.held(1)).isTrue();
        chats.read(chats.mark(), Set.of());
        assertThat(chats.held(1)).isFalse();
    }

    @Test
    void aChatTheReadFoundWithUnsentCallsIsHeldUntilAReadFindsNone() {
        chats.read(chats.mark(), Set.of(5L));
        assertThat(chats.held(5)).isTrue();
        assertThat(chats.held(6)).isFalse();
        chats.read(chats.mark(), Set.of());
        assertThat(chats.held(5)).isFalse();
    }

    @Test
    void aChatIsHeldFromTheMomentATransactionQueuesToItUntilAReadBegunAfterItEnded() {
        chats.read(chats.mark(), Set.of());
        chats.opened(7);
        assertThat(chats.held(7)).as("not committed yet: its commit may land").isTrue();
        long during = chats.mark();
        chats.read(during, Set.of());
        assertThat(chats.held(7)).as("a read while it is open").isTrue();
        long before = chats.mark();
        chats.closed(List.of(7L));
        chats.read(before, Set.of());
        assertThat(chats.held(7)).as("a read begun before it ended may have missed its calls").isTrue();
        chats.read(chats.mark(), Set.of());
        assertThat(chats.held(7)).isFalse();
    }

    @Test
    void twoTransactionsOfOneChatHoldItUntilBothEnded() {
        chats.read(chats.mark(), Set.of());
        chats.opened(8);
        chats.opened(8);
        chats.closed(List.of(8L));
        chats.read(chats.mark(), Set.of());
        assertThat(chats.held(8)).isTrue();
        chats.closed(List.of(8L));
        chats.read(chats.mark(), Set.of());
        assertThat(chats.held(8)).isFalse();
    }

    @Test
    void moreChatsWithUnsentCallsThanTheMaximumHoldEveryChat() {
        Set<Long> many = new HashSet<>();
        for (long c = 0; c <= OutboxChats.MAX; c++) {
            many.add(c);
        }
        chats.read(chats.mark(), many);
        assertThat(chats.held(-1)).isTrue();
        chats.read(chats.mark(), Set.of(1L));
        assertThat(chats.held(-1)).isFalse();
    }
}

package io.botvisor.runner.telegram.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.botvisor.runner.telegram.transport.IncomingUpdate;
import io.botvisor.runner.telegram.transport.OutgoingCall;
import io.botvisor.storage.Outbox.State;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfflineTest {
    @TempDir
    Path root;
    private Journal journal;
    private Offline offline;

    @BeforeEach
    void open() throws Exception {
        journal = Journal.create(root.resolve("own"), 64 * 1024);
        offline = new Offline("b", journal);
        offline.outboxChats().read(offline.outboxChats().mark(), Map.of()); // the outbox table has nothing unsent
    }

    @AfterEach
    void close() throws Exception {
        journal.close();
    }

    private static JournalEntry.Received update(long id, long chat) {
        return new JournalEntry.Received(id, "message", chat, "{}", 0);
    }

    private JournalEntry.Call call(long chat) {
        return new JournalEntry.Call(offline.nextCallId(), chat, "sendMessage", "{\"chat_id\":" + chat + "}");
    }

    @Test
    void aBatchIsNotJournaledWhileTheBotIsOnItsDatabase() throws Exception {
        assertThat(offline.received(List.of(new IncomingUpdate(1, "message", 1L, "{}")))).isEqualTo(-1);
        assertThat(journal.readAll()).isEmpty();
    }

    @Test
    void aBatchIsJournaledWhileTheDatabaseIsDown() throws Exception {
        offline.wentDown("test");
        assertThat(offline.received(List.of(new IncomingUpdate(1, "message", 1L, "{}"),
                new IncomingUpdate(2, "message", 1L, "{}")))).isEqualTo(2);
        assertThat(journal.readAll()).hasSize(2);
    }

    @Test
    void aBatchThatDoesNotFitAtAllIsRefused() throws Exception {
        offline.wentDown("test");
        String big = "{\"t\":\"" + "x".repeat(70 * 1024) + "\"}";
        assertThatThrownBy(() -> offline.received(List.of(new IncomingUpdate(1, "message", 1L, big))))
                .isInstanceOf(Journal.FullException.class);
        assertThat(offline.full()).isTrue();
    }

    @Test
    void journalCallIdsAreNegativeSoTheyNeverMeetAnOutboxId() {
        assertThat(offline.nextCallId()).isNegative();
        assertThat(offline.nextCallId()).isNegative();
    }

    @Test
    void aHandlersEndIsRefusedOnceTheBotIsBackOnItsDatabase() throws Exception {
        assertThat(offline.handled(update(1, 1), List.of(call(1)), null)).isFalse();
        assertThat(offline.sendable(10)).isEmpty();
    }

    @Test
    void aChatWithCallsInTheOutboxTableNotSentYetOffersNoJournalCallUntilAReadFindsThemSent() {
        offline.wentDown("test");
        JournalEntry.Call a1 = call(1);
        JournalEntry.Call b1 = call(2);
        offline.outboxChats().read(offline.outboxChats().mark(), Map.of(1L, 1));
        offline.handled(update(1, 1), List.of(a1), null);
        offline.handled(update(2, 2), List.of(b1), null);
        assertThat(offline.sendable(10)).extracting(OutgoingCall::id).containsExactly(b1.callId());
        offline.outboxChats().read(offline.outboxChats().mark(), Map.of());
        assertThat(offline.sendable(10)).extracting(OutgoingCall::id).containsExactly(a1.callId(), b1.callId());
    }

    @Test
    void eachChatOffersItsOldestCallAndNothingWhileOneIsInFlight() {
        offline.wentDown("test");
        JournalEntry.Call a1 = call(1);
        JournalEntry.Call a2 = call(1);
        JournalEntry.Call b1 = call(2);
        offline.handled(update(1, 1), List.of(a1, a2), null);
        offline.handled(update(2, 2), List.of(b1), null);
        assertThat(offline.sendable(10)).extracting(OutgoingCall::id).containsExactly(a1.callId(), b1.callId());
        assertThat(offline.claim(a1.callId())).isTrue();
        assertThat(offline.sendable(10)).extracting(OutgoingCall::id).containsExactly(b1.callId());
        assertThat(offline.outcome(a1.callId(), State.SENT, 5L, null)).isTrue();
        assertThat(offline.sendable(10)).extracting(OutgoingCall::id).containsExactly(a2.callId(), b1.callId());
    }

    @Test
    void aCallClaimedTwiceIsMadeOnce() {
        offline.wentDown("test");
        JournalEntry.Call a = call(1);
        offline.handled(update(1, 1), List.of(a), null);
        assertThat(offline.claim(a.callId())).isTrue();
        assertThat(offline.claim(a.callId())).isFalse();
    }

    @Test
    void aRequeuedCallIsOfferedAgainWithItsAttempt() {
        offline.wentDown("test");
        JournalEntry.Call a = call(1);
        offline.handled(update(1, 1), List.of(a), null);
        offline.claim(a.callId());
        offline.outcome(a.callId(), State.QUEUED, null, "NOT_SENT");
        assertThat(offline.sendable(10)).singleElement().satisfies(c -> assertThat(c.attempts()).isEqualTo(1));
    }

    @Test
    void claimsAndOutcomesAreJournaled() throws Exception {
        offline.wentDown("test");
        JournalEntry.Call a = call(1);
        offline.handled(update(1, 1), List.of(a), null);
        offline.claim(a.callId());
        offline.outcome(a.callId(), State.SENT, 9L, null);
        assertThat(journal.readAll()).containsExactly(new JournalEntry.Handled(update(1, 1), List.of(a), null),
                new JournalEntry.Claimed(a.callId()), new JournalEntry.Outcome(a.callId(), "sent", 9L, null));
    }

    @Test
    void aCallTheReplayMovedToTheOutboxIsRoutedThereAndNoLongerOffered() throws Exception {
        offline.wentDown("test");
        JournalEntry.Call a = call(1);
        offline.handled(update(1, 1), List.of(a), null);
        offline.exclusive(() -> {
            offline.replayed(Map.of(a.callId(), 42L), Set.of());
            offline.back();
            return null;
        });
        assertThat(offline.outboxId(a.callId())).isEqualTo(42L);
        assertThat(offline.sendable(10)).isEmpty();
        assertThat(offline.outcome(a.callId(), State.SENT, 1L, null)).as("recorded in the outbox instead").isFalse();
        assertThat(offline.down()).isFalse();
        assertThat(journal.depth()).isZero();
    }

    @Test
    void pendingUpdatesAreThoseJournaledAndNotHandledInTheOrderReceived() throws Exception {
        offline.wentDown("test");
        offline.received(List.of(new IncomingUpdate(3, "message", 1L, "{}"), new IncomingUpdate(1, "message", 2L, "{}"),
                new IncomingUpdate(2, "message", 1L, "{}")));
        offline.handled(update(1, 2), List.of(), null);
        assertThat(offline.pending()).extracting(IncomingUpdate::updateId).containsExactly(3L, 2L);
    }
}

package io.botvisor.runner.telegram.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.storage.Outbox.State;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalFoldTest {
    private static JournalEntry.Received update(long id, long chat) {
        return new JournalEntry.Received(id, "message", chat, "{\"update_id\":" + id + "}", id);
    }

    private static JournalEntry.Call call(long id, long chat) {
        return new JournalEntry.Call(id, chat, "sendMessage", "{\"chat_id\":" + chat + "}");
    }

    private static JournalEntry.Handled handled(long update, long chat, JournalEntry.Call... calls) {
        return new JournalEntry.Handled(update(update, chat), List.of(calls), null);
    }

    @Test
    void handledUpdatesComeInTheOrderTheyWereHandledTheOthersWhereTheyWereReceived() {
        List<JournalFold.Plan> plans = JournalFold.fold(List.of(update(30, 1), update(10, 2), handled(10, 2),
                update(20, 1), handled(30, 1)), true, false);
        assertThat(plans).extracting(p -> p.update().updateId()).containsExactly(10L, 20L, 30L);
        assertThat(plans).extracting(JournalFold.Plan::handled).containsExactly(true, false, true);
    }

    @Test
    void anUpdateFromTheInboxHandledFromTheJournalBeforeItsChatsJournaledOneIsReplayedFirst() {
        // 7 was recorded in the inbox and not yet read back when the database went down; 10, its chat's next update,
        // was journaled; the dispatcher handled 7 first (Dispatcher.offer), then 10.
        List<JournalFold.Plan> plans = JournalFold.fold(List.of(update(10, 1), handled(7, 1, call(-1, 1)),
                handled(10, 1, call(-2, 1))), true, false);
        assertThat(plans).extracting(p -> p.update().updateId()).as("7's reply restored before 10's")
                .containsExactly(7L, 10L);
    }

    @Test
    void anUpdateHandledFromTheDatabaseQueueWithoutAReceivedRecordIsStillPlanned() {
        List<JournalFold.Plan> plans = JournalFold.fold(List.of(handled(7, 1, call(-1, 1))), true, false);
        assertThat(plans).singleElement().satisfies(p -> {
            assertThat(p.handled()).isTrue();
            assertThat(p.update().updateId()).isEqualTo(7);
        });
    }

    @Test
    void anUpdateReceivedTwiceIsPlannedOnce() {
        assertThat(JournalFold.fold(List.of(update(1, 1), update(1, 1)), true, false)).hasSize(1);
    }

    @Test
    void aSentCallKeepsTelegramsMessageIdAndItsAttempts() {
        List<JournalFold.Plan> plans = JournalFold.fold(List.of(update(1, 1), handled(1, 1, call(-1, 1)),
                new JournalEntry.Claimed(-1), new JournalEntry.Outcome(-1, "queued", null, "NOT_SENT refused"),
                new JournalEntry.Claimed(-1), new JournalEntry.Outcome(-1, "sent", 99L, null)), true, false);
        JournalFold.CallState c = plans.get(0).calls().get(0);
        assertThat(c.state()).isEqualTo(State.SENT);
        assertThat(c.messageId()).isEqualTo(99L);
        assertThat(c.attempts()).isEqualTo(2);
    }

    @Test
    void aCallNeverClaimedStaysQueued() {
        JournalFold.CallState c = JournalFold.fold(List.of(handled(1, 1, call(-1, 1))), true, true).get(0).calls()
                .get(0);
        assertThat(c.state()).isEqualTo(State.QUEUED);
        assertThat(c.attempts()).isZero();
    }

    @Test
    void aCallInFlightWhenItsProcessEndedIsUncertainUnderNever() {
        JournalFold.CallState c = JournalFold.fold(List.of(handled(1, 1, call(-1, 1)), new JournalEntry.Claimed(-1)),
                true, false).get(0).calls().get(0);
        assertThat(c.state()).isEqualTo(State.UNCERTAIN);
        assertThat(c.reason()).isEqualTo(JournalFold.IN_FLIGHT_AT_EXIT);
    }

    @Test
    void aCallInFlightWhenItsProcessEndedIsSentOnceMoreUnderRetryOnce() {
        JournalFold.CallState c = JournalFold.fold(List.of(handled(1, 1, call(-1, 1)), new JournalEntry.Claimed(-1)),
                true, true).get(0).calls().get(0);
        assertThat(c.state()).isEqualTo(State.QUEUED);
        assertThat(c.attempts()).isEqualTo(1);
    }

    @Test
    void aCallInFlightAfterItWasSentOnceMoreIsUncertainEvenUnderRetryOnce() {
        JournalFold.CallState c = JournalFold.fold(List.of(handled(1, 1, call(-1, 1)), new JournalEntry.Claimed(-1),
                new JournalEntry.Outcome(-1, "queued", null, JournalFold.SENT_ONCE_MORE), new JournalEntry.Claimed(-1)),
                true, true).get(0).calls().get(0);
        assertThat(c.state()).isEqualTo(State.UNCERTAIN);
        assertThat(c.resent()).isTrue();
    }

    @Test
    void aCallInFlightAfterA429IsSentOnceMoreUnderRetryOnce() {
        // The first attempt was answered (429): only the second is in doubt, and the policy's one more send is owed.
        JournalFold.CallState c = JournalFold.fold(List.of(handled(1, 1, call(-1, 1)), new JournalEntry.Claimed(-1),
                new JournalEntry.Outcome(-1, "queued", null, "Telegram asked to wait 2 s (429)"),
                new JournalEntry.Claimed(-1)), true, true).get(0).calls().get(0);
        assertThat(c.state()).isEqualTo(State.QUEUED);
        assertThat(c.reason()).isEqualTo(JournalFold.SENT_ONCE_MORE);
        assertThat(c.resent()).isTrue();
    }

    @Test
    void theResentMarkOutlivesALaterRequeue() {
        JournalFold.CallState c = JournalFold.fold(List.of(handled(1, 1, call(-1, 1)), new JournalEntry.Claimed(-1),
                new JournalEntry.Outcome(-1, "queued", null, JournalFold.SENT_ONCE_MORE), new JournalEntry.Claimed(-1),
                new JournalEntry.Outcome(-1, "queued", null, "Telegram asked to wait 2 s (429)"),
                new JournalEntry.Claimed(-1)), true, true).get(0).calls().get(0);
        assertThat(c.state()).isEqualTo(State.UNCERTAIN);
    }

    @Test
    void aCallInFlightInALiveProcesssJournalStaysSending() {
        JournalFold.CallState c = JournalFold.fold(List.of(handled(1, 1, call(-1, 1)), new JournalEntry.Claimed(-1)),
                false, true).get(0).calls().get(0);
        assertThat(c.state()).isEqualTo(State.SENDING);
    }

    @Test
    void theCallsOfAnUpdateKeepTheOrderTheHandlerQueuedThemIn() {
        List<JournalFold.CallState> calls = JournalFold.fold(List.of(handled(1, 1, call(-2, 1), call(-3, 1),
                call(-4, 1))), true, false).get(0).calls();
        assertThat(calls).extracting(c -> c.call().callId()).containsExactly(-2L, -3L, -4L);
    }
}

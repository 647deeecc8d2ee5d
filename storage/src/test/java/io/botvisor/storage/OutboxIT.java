package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** A bot's outbox through its own pool and role: per-chat order, one call in flight per chat, nothing sent blindly. */
class OutboxIT {
    @TempDir
    static Path state;
    static TestDatabase db;
    BotPool pool;
    Outbox outbox;

    @BeforeAll
    static void startDatabase() {
        db = TestDatabase.start(state).migrated();
    }

    @AfterAll
    static void stopDatabase() {
        db.close();
    }

    /** A bot of its own for each test: its outbox starts empty. */
    @BeforeEach
    void setUp(TestInfo test) {
        String name = "outbox-" + Integer.toHexString(test.getDisplayName().hashCode());
        BotCredentials bot = new BotRoles(db.manager, db.files).ensure(name, "test");
        pool = BotPool.open(bot.botName(), db.manager.url(), bot.role(), db.files.botPassword(bot.botName()), 2);
        outbox = Outbox.of(pool.dataSource());
    }

    @AfterEach
    void tearDown() {
        pool.close();
    }

    private long queue(long chat, String text) throws SQLException {
        try (Connection tx = pool.dataSource().getConnection()) {
            return outbox.queue(tx, chat, null, "sendMessage", "{\"chat_id\": " + chat + ", \"text\": \"" + text
                    + "\"}");
        }
    }

    private List<Long> sendableIds() {
        return outbox.sendable(100).stream().map(Outbox.Item::id).toList();
    }

    @Test
    void aStraySendingCallIsQueuedAgainAndItsChatGoesOnWhileACallInFlightStaysSending() throws SQLException {
        long lost = queue(10, "claimed, its answer lost");
        long later = queue(10, "behind it");
        long flying = queue(20, "in flight");
        outbox.markSending(lost);
        outbox.markSending(flying);
        assertThat(sendableIds()).as("a sending call holds its chat back").isEmpty();

        assertThat(outbox.requeueStray(List.of(flying), "claim's answer lost")).isEqualTo(1);

        assertThat(outbox.state(lost)).contains(Outbox.State.QUEUED);
        assertThat(outbox.state(flying)).contains(Outbox.State.SENDING);
        assertThat(sendableIds()).containsExactly(lost);
        outbox.markSending(lost);
        outbox.markSent(lost, 1L);
        assertThat(sendableIds()).containsExactly(later);
    }

    @Test
    void unsentChatsAreTheChatsWithCallsQueuedOrSendingWithHowManyAndSayWhenThereAreMore() throws SQLException {
        long a = queue(10, "a");
        queue(20, "b");
        long c = queue(30, "c");
        outbox.markSending(a);
        outbox.markSending(c);
        outbox.markSent(c, 3L);
        queue(10, "a2");
        assertThat(outbox.unsentChats(10)).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(10L, 2, 20L, 1));
        queue(40, "d");
        assertThat(outbox.unsentChats(2)).as("max + 1: more than max").hasSize(3);
    }

    @Test
    void eachChatOffersItsOldestCallOnlyOldestChatFirst() throws SQLException {
        long a1 = queue(10, "a1");
        long b1 = queue(20, "b1");
        long a2 = queue(10, "a2");
        long c1 = queue(30, "c1");
        assertThat(sendableIds()).containsExactly(a1, b1, c1);
        assertThat(outbox.sendable(2)).extracting(Outbox.Item::id).containsExactly(a1, b1);
        Outbox.Item item = outbox.sendable(1).get(0);
        assertThat(item).extracting(Outbox.Item::chatId, Outbox.Item::method, Outbox.Item::attempts)
                .containsExactly(10L, "sendMessage", 0);
        assertThat(item.payloadJson()).contains("\"text\": \"a1\"");
        outbox.markSending(a1);
        outbox.markSent(a1, 555L);
        assertThat(sendableIds()).containsExactly(b1, a2, c1);
    }

    @Test
    void aChatWithACallInFlightOffersNothingUntilItIsSent() throws SQLException {
        long a1 = queue(10, "a1");
        long a2 = queue(10, "a2");
        long b1 = queue(20, "b1");
        outbox.markSending(a1);
        assertThat(sendableIds()).containsExactly(b1);
        outbox.markSent(a1, 1L);
        assertThat(sendableIds()).containsExactly(a2, b1);
    }

    @Test
    void neitherAnUncertainNorAFailedCallHoldsItsChatBack() throws SQLException {
        long a1 = queue(10, "a1");
        long a2 = queue(10, "a2");
        long a3 = queue(10, "a3");
        outbox.markSending(a1);
        outbox.markUncertain(a1, "read timed out");
        assertThat(sendableIds()).containsExactly(a2);
        assertThat(outbox.stats().uncertain()).isEqualTo(1);
        outbox.requeue(a1, "policy: send again");
        assertThat(sendableIds()).as("sent again first, in its place").containsExactly(a1);
        outbox.markSending(a1);
        outbox.markFailed(a1, "400 Bad Request: message text is empty");
        assertThat(sendableIds()).containsExactly(a2);
        outbox.markSending(a2);
        outbox.markUncertain(a2, "connection reset");
        outbox.markSent(a2, null);
        assertThat(sendableIds()).containsExactly(a3);
        assertThat(outbox.state(a1)).contains(Outbox.State.FAILED);
        assertThat(outbox.state(a2)).contains(Outbox.State.SENT);
    }

    @Test
    void aCallQueuedToBeSentOnceMoreStaysMarkedResentThroughLaterRequeuesAndACrash() throws SQLException {
        long a1 = queue(10, "a1");
        assertThat(outbox.sendable(1).get(0).resent()).as("a fresh call").isFalse();
        outbox.markSending(a1);
        outbox.resendOnce(a1, "sent once more");
        assertThat(outbox.sendable(1).get(0).resent()).isTrue();
        outbox.markSending(a1);
        outbox.requeue(a1, "Telegram asked to wait 2 s (429)");
        assertThat(outbox.sendable(1).get(0).resent()).as("after a 429").isTrue();
        outbox.markSending(a1);
        assertThat(outbox.recoverInFlight()).singleElement().satisfies(i -> assertThat(i.resent()).isTrue());
    }

    @Test
    void claimTakesOnlyAQueuedCallAndLeavesAnyOtherAsItIs() throws SQLException {
        long a1 = queue(10, "a1");
        assertThat(outbox.claim(a1)).isTrue();
        assertThat(outbox.claim(a1)).as("already sending").isFalse();
        outbox.markSent(a1, 7L);
        assertThat(outbox.claim(a1)).as("sent").isFalse();
        assertThat(outbox.state(a1)).contains(Outbox.State.SENT);
    }

    @Test
    void heldBackChatsAreSkippedAndTheOthersFillTheLimit() throws SQLException {
        long a1 = queue(10, "a1");
        long b1 = queue(20, "b1");
        long c1 = queue(30, "c1");
        assertThat(outbox.sendable(2, List.of(10L))).extracting(Outbox.Item::id).containsExactly(b1, c1);
        assertThat(outbox.sendable(2, List.of())).extracting(Outbox.Item::id).containsExactly(a1, b1);
    }

    @Test
    void markingSendingCountsAnAttemptAndSentKeepsTelegramsMessageId() throws SQLException {
        long a1 = queue(10, "a1");
        outbox.markSending(a1);
        outbox.requeue(a1, "connect refused");
        assertThat(outbox.sendable(1).get(0).attempts()).isEqualTo(1);
        outbox.markSending(a1);
        outbox.markSent(a1, 4242L);
        assertThat(row(a1, "attempts || ' ' || telegram_message_id || ' ' || (sent_at IS NOT NULL) || ' ' "
                + "|| last_error")).isEqualTo("2 4242 true connect refused");
    }

    @Test
    void anIllegalTransitionThrowsNamingTheStateAndChangesNothing() throws SQLException {
        long a1 = queue(10, "a1");
        outbox.markSending(a1);
        outbox.markSent(a1, 1L);
        assertThatThrownBy(() -> outbox.markSending(a1)).isInstanceOf(StorageException.class)
                .hasMessage("bot " + outbox.botId() + ": outbox item " + a1 + " is sent: cannot mark it sending "
                        + "(expected an item that is queued)");
        assertThatThrownBy(() -> outbox.requeue(a1, "x")).hasMessage("bot " + outbox.botId() + ": outbox item " + a1
                + " is sent: cannot mark it queued (expected an item that is sending or uncertain)");
        assertThatThrownBy(() -> outbox.markUncertain(99_999, "x")).hasMessage("bot " + outbox.botId()
                + ": outbox item 99999 does not exist: cannot mark it uncertain (expected an item that is sending)");
        assertThat(outbox.state(a1)).contains(Outbox.State.SENT);
        assertThat(row(a1, "attempts")).isEqualTo("1");
    }

    @Test
    void aRefusedMoveSaysWhichStateTheItemIsIn() throws SQLException {
        long a1 = queue(12, "a1");
        outbox.markSending(a1);
        outbox.markSent(a1, 1L);
        UnableToMoveOutboxItemException e = catchThrowableOfType(UnableToMoveOutboxItemException.class,
                () -> outbox.markSent(a1, 1L));
        assertThat(e.current()).as("a second write of the same outcome finds it recorded").contains(
                Outbox.State.SENT);
        assertThat(catchThrowableOfType(UnableToMoveOutboxItemException.class,
                () -> outbox.markUncertain(99_998, "x")).current()).isEmpty();
    }

    @Test
    void recoveryMarksCallsLeftInFlightUncertainAndReturnsOnlyThoseNotTheOnesResolvedEarlier() throws SQLException {
        long a1 = queue(10, "a1");
        long b1 = queue(20, "b1");
        long c1 = queue(30, "c1");
        long d1 = queue(40, "d1");
        outbox.markSending(a1);
        outbox.markSending(b1);
        outbox.markUncertain(b1, "read timed out");
        outbox.markSending(c1);
        outbox.markSent(c1, 3L);
        long e1 = queue(50, "e1");
        outbox.markSending(e1);
        // A new run of the bot: a1 and e1 were in flight when the last one died.
        Outbox next = Outbox.of(pool.dataSource());
        assertThat(next.recoverInFlight()).as("b1 was resolved by the run that marked it uncertain")
                .extracting(Outbox.Item::id).containsExactly(a1, e1);
        assertThat(next.state(a1)).contains(Outbox.State.UNCERTAIN);
        assertThat(next.state(b1)).contains(Outbox.State.UNCERTAIN);
        assertThat(next.sendable(100)).extracting(Outbox.Item::id).containsExactly(d1);
        assertThat(next.recoverInFlight()).as("a start after that finds nothing in flight").isEmpty();
    }

    @Test
    void migratingAChatMovesItsUnsentCallsAndTheirPayloadsChatIdInOrder() throws SQLException {
        long old = -100L;
        long supergroup = -1_001_234_567_890L;
        long sent = queue(old, "sent");
        outbox.markSending(sent);
        outbox.markSent(sent, 9L);
        long inFlight = queue(old, "in flight");
        long next = queue(old, "next");
        long other = queue(20, "other");
        outbox.markSending(inFlight);
        assertThat(outbox.migrateChat(old, supergroup)).isEqualTo(2);
        outbox.requeue(inFlight, "400: group chat was upgraded to a supergroup chat");
        List<Outbox.Item> items = outbox.sendable(100);
        assertThat(items).extracting(Outbox.Item::id).containsExactly(inFlight, other);
        assertThat(items.get(0).chatId()).isEqualTo(supergroup);
        assertThat(items.get(0).payloadJson()).contains("\"chat_id\": " + supergroup).contains("in flight");
        assertThat(row(next, "chat_id || ' ' || (payload ->> 'chat_id')")).isEqualTo(supergroup + " " + supergroup);
        assertThat(row(sent, "chat_id")).as("a sent call keeps the chat it went to").isEqualTo(String.valueOf(old));
    }

    @Test
    void statsCountWhatIsUnsentAndTheOldestOnesAge() throws SQLException {
        assertThat(outbox.stats()).isEqualTo(new Outbox.Stats(0, Duration.ZERO, 0));
        long a1 = queue(10, "a1");
        queue(10, "a2");
        long b1 = queue(20, "b1");
        outbox.markSending(b1);
        outbox.markSent(b1, 1L);
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE botvisor.outbox SET queued_at = now() - interval '2 minutes' WHERE id = " + a1);
        }
        Outbox.Stats stats = outbox.stats();
        assertThat(stats.unsent()).isEqualTo(2);
        assertThat(stats.oldestUnsentAge()).isGreaterThanOrEqualTo(Duration.ofMinutes(2));
        assertThat(stats.uncertain()).isZero();
    }

    @Test
    void aBlankMethodIsRefused() throws SQLException {
        try (Connection tx = pool.dataSource().getConnection()) {
            assertThatThrownBy(() -> outbox.queue(tx, 1, null, " ", "{}")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("bot " + outbox.botId() + ": outbox method \" \" is blank (expected a Bot API method, "
                            + "e.g. sendMessage)");
        }
    }

    private String row(long id, String expression) throws SQLException {
        try (Connection c = db.manager.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + expression + " FROM botvisor.outbox WHERE id = " + id)) {
            assertThat(rs.next()).as("outbox row " + id).isTrue();
            return rs.getString(1);
        }
    }
}

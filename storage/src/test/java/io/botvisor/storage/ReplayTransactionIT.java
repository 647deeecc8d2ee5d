package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage side of the journal's replay (bot-runner's Replayer), against the real server: one transaction per
 * update — {@link Inbox#recordIn}, {@link Inbox#markHandled}, {@link Outbox#restore} — run again after a crash writes
 * nothing twice.
 */
class ReplayTransactionIT {
    @TempDir
    static Path state;
    static TestDatabase db;
    static BotPool pool;
    static Inbox inbox;
    static Outbox outbox;

    @BeforeAll
    static void setUp() {
        db = TestDatabase.start(state).migrated();
        BotCredentials bot = new BotRoles(db.manager, db.files).ensure("replay-a", "test");
        pool = BotPool.open(bot.botName(), db.manager.url(), bot.role(), db.files.botPassword(bot.botName()), 2);
        inbox = Inbox.of(pool.dataSource());
        outbox = Outbox.of(pool.dataSource());
    }

    @AfterAll
    static void tearDown() {
        pool.close();
        db.close();
    }

    private static Inbox.Received update(long id, long chat) {
        return new Inbox.Received(id, "message", chat, "{\"update_id\": " + id + ", \"message\": {\"chat\": {\"id\": "
                + chat + "}}}");
    }

    /** A call as the journal left it. */
    private record Call(Outbox.State state, int attempts, Long messageId, String reason, boolean resent) {
        Call(Outbox.State state, int attempts, Long messageId, String reason) {
            this(state, attempts, messageId, reason, false);
        }
    }

    /** The replay of one update handled from the journal: the transaction the Replayer runs. Null: handled before. */
    private static List<Long> replayHandled(Inbox.Received u, List<Call> calls) throws SQLException {
        try (Connection c = pool.dataSource().getConnection()) {
            c.setAutoCommit(false);
            inbox.recordIn(c, u);
            if (!inbox.markHandled(c, u.updateId())) {
                c.rollback();
                return null;
            }
            List<Long> ids = new ArrayList<>();
            for (Call call : calls) {
                ids.add(outbox.restore(c, u.chatId(), u.updateId(), "sendMessage", "{\"chat_id\": " + u.chatId()
                        + ", \"text\": \"r\"}", call.state(), call.attempts(), call.messageId(), call.reason(), call.resent()));
            }
            c.commit();
            return ids;
        }
    }

    private static String row(String sql, long key) throws SQLException {
        try (Connection c = pool.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void replayingAHandledUpdateTwiceRecordsItHandledOnceWithItsRepliesOnce() throws SQLException {
        List<Call> calls = List.of(new Call(Outbox.State.SENT, 1, 501L, null));
        assertThat(replayHandled(update(10, 1), calls)).hasSize(1);
        assertThat(replayHandled(update(10, 1), calls)).as("the second run: handled already").isNull();
        assertThat(row("SELECT count(*) || '/' || count(handled_at) FROM botvisor.updates WHERE update_id = ?", 10))
                .isEqualTo("1/1");
        assertThat(row("SELECT count(*) FROM botvisor.outbox WHERE update_id = ?", 10)).isEqualTo("1");
    }

    @Test
    void aRestoredCallKeepsItsStateAttemptsAndTelegramsMessageId() throws SQLException {
        List<Long> ids = replayHandled(update(20, 2), List.of(new Call(Outbox.State.SENT, 2, 777L, null),
                new Call(Outbox.State.UNCERTAIN, 1, null, "in flight when its process ended"),
                new Call(Outbox.State.QUEUED, 0, null, null)));
        assertThat(row("SELECT state || '/' || attempts || '/' || telegram_message_id || '/' || (sent_at IS NOT NULL) "
                + "FROM botvisor.outbox WHERE id = ?", ids.get(0))).isEqualTo("sent/2/777/true");
        assertThat(row("SELECT state || '/' || attempts || '/' || last_error FROM botvisor.outbox WHERE id = ?",
                ids.get(1))).isEqualTo("uncertain/1/in flight when its process ended");
        assertThat(outbox.state(ids.get(2))).contains(Outbox.State.QUEUED);
    }

    @Test
    void restoredCallsOfOneUpdateKeepTheirOrderForTheSender() throws SQLException {
        List<Long> ids = replayHandled(update(30, 3), List.of(new Call(Outbox.State.QUEUED, 0, null, null),
                new Call(Outbox.State.QUEUED, 0, null, null)));
        assertThat(ids.get(1)).isGreaterThan(ids.get(0));
        assertThat(outbox.sendable(100)).extracting(Outbox.Item::id).contains(ids.get(0)).doesNotContain(ids.get(1));
    }

    @Test
    void anUpdateTheInboxHandledBeforeGetsNoneOfTheJournalsReplies() throws SQLException {
        inbox.record(List.of(update(40, 4)));
        try (Connection c = pool.dataSource().getConnection()) {
            c.setAutoCommit(false);
            assertThat(inbox.markHandled(c, 40)).isTrue();
            c.commit();
        }
        assertThat(replayHandled(update(40, 4), List.of(new Call(Outbox.State.SENT, 1, 1L, null)))).isNull();
        assertThat(row("SELECT count(*) FROM botvisor.outbox WHERE update_id = ?", 40)).isEqualTo("0");
    }

    @Test
    void recordingAnUpdateTheInboxHoldsAddsNothingAndLeavesItHandled() throws SQLException {
        replayHandled(update(50, 5), List.of());
        try (Connection c = pool.dataSource().getConnection()) {
            c.setAutoCommit(false);
            assertThat(inbox.recordIn(c, update(50, 5))).isFalse();
            c.commit();
        }
        assertThat(row("SELECT count(*) || '/' || count(handled_at) FROM botvisor.updates WHERE update_id = ?", 50))
                .isEqualTo("1/1");
    }

    @Test
    void anUpdateReplayedUnhandledIsLeftForTheDispatcherOnce() throws SQLException {
        for (int run = 0; run < 2; run++) {
            try (Connection c = pool.dataSource().getConnection()) {
                c.setAutoCommit(false);
                inbox.recordIn(c, update(60, 6));
                c.commit();
            }
        }
        assertThat(inbox.unhandled(0, 1000)).filteredOn(p -> p.updateId() == 60).hasSize(1);
    }

    @Test
    void aReplayCutBeforeItsCommitLeavesNothingBehind() throws SQLException {
        try (Connection c = pool.dataSource().getConnection()) {
            c.setAutoCommit(false);
            inbox.recordIn(c, update(70, 7));
            inbox.markHandled(c, 70);
            outbox.restore(c, 7, 70L, "sendMessage", "{\"chat_id\": 7}", Outbox.State.SENT, 1, 3L, null, false);
            c.rollback(); // what a kill -9 before the commit does
        }
        assertThat(row("SELECT count(*) FROM botvisor.updates WHERE update_id = ?", 70)).isEqualTo("0");
        assertThat(replayHandled(update(70, 7), List.of(new Call(Outbox.State.SENT, 1, 3L, null)))).hasSize(1);
        assertThat(row("SELECT count(*) FROM botvisor.outbox WHERE update_id = ?", 70)).isEqualTo("1");
    }

    @Test
    void aRestoredCallKeepsWhetherItWasQueuedToBeSentOnceMore() throws SQLException {
        List<Long> ids = replayHandled(update(80, 8), List.of(new Call(Outbox.State.QUEUED, 1, null, "sent once more",
                true), new Call(Outbox.State.QUEUED, 0, null, null, false)));

        assertThat(outbox.sendable(10)).filteredOn(i -> ids.contains(i.id())).extracting(Outbox.Item::resent)
                .containsExactly(true);
        assertThat(row("SELECT string_agg(resent::text, ',' ORDER BY id) FROM botvisor.outbox WHERE update_id = ?",
                80)).isEqualTo("true,false");
    }
}

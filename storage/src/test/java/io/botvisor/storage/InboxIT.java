package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bot's inbox through its own pool and role: recorded once, in order, handled once. */
class InboxIT {
    @TempDir
    static Path state;
    static TestDatabase db;
    static BotPool pool;
    static Inbox inbox;
    static Outbox outbox;
    static ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    static void setUp() {
        db = TestDatabase.start(state).migrated();
        BotCredentials bot = new BotRoles(db.manager, db.files).ensure("inbox-a", "test");
        pool = BotPool.open(bot.botName(), db.manager.url(), bot.role(), db.files.botPassword(bot.botName()), 4);
        inbox = Inbox.of(pool.dataSource());
        outbox = Outbox.of(pool.dataSource());
    }

    @AfterAll
    static void tearDown() {
        threads.shutdownNow();
        pool.close();
        db.close();
    }

    private static Inbox.Received update(long id, long chat) {
        return new Inbox.Received(id, "message", chat, "{\"update_id\": " + id + ", \"message\": {\"chat\": {\"id\": "
                + chat + "}, \"text\": \"u" + id + "\"}}");
    }

    private static List<Long> unhandledIds(long chat) {
        return inbox.unhandled(0, 1000).stream().filter(p -> p.chatId() == chat).map(Inbox.Pending::updateId).toList();
    }

    @Test
    void recordingABatchAgainAddsNothing() {
        List<Inbox.Received> batch = List.of(update(100, 1), update(101, 1), update(102, 1));
        assertThat(inbox.record(batch)).containsExactlyInAnyOrder(100L, 101L, 102L);
        assertThat(inbox.record(batch)).as("what it held already is not recorded again").isEmpty();
        assertThat(inbox.record(List.of(update(101, 1), update(103, 1)))).containsExactly(103L);
        assertThat(unhandledIds(1)).containsExactly(100L, 101L, 102L, 103L);
        Inbox.Pending first = inbox.unhandled(0, 1000).stream().filter(p -> p.updateId() == 100).findFirst()
                .orElseThrow();
        assertThat(first.kind()).isEqualTo("message");
        assertThat(first.payloadJson()).contains("\"text\": \"u100\"");
    }

    @Test
    void updatesStayInTheOrderRecordedWhenTelegramRestartsItsIds() {
        // After a week without updates Telegram's next id is random: here far below the last one seen.
        inbox.record(List.of(update(900_000_000L, 2), update(900_000_001L, 2)));
        inbox.record(List.of(update(17, 2), update(18, 2)));
        assertThat(unhandledIds(2)).containsExactly(900_000_000L, 900_000_001L, 17L, 18L);
    }

    @Test
    void unhandledPagesByItsOwnOrder() {
        inbox.record(List.of(update(300, 3), update(5, 3), update(299, 3)));
        List<Inbox.Pending> all = inbox.unhandled(0, 1000).stream().filter(p -> p.chatId() == 3).toList();
        assertThat(all).extracting(Inbox.Pending::updateId).containsExactly(300L, 5L, 299L);
        List<Inbox.Pending> after = inbox.unhandled(all.get(0).seq(), 1000).stream().filter(p -> p.chatId() == 3)
                .toList();
        assertThat(after).extracting(Inbox.Pending::updateId).containsExactly(5L, 299L);
        assertThat(inbox.unhandled(all.get(0).seq(), 1)).hasSize(1);
    }

    @Test
    void aBatchWithABadUpdateRecordsNoneOfIt() {
        assertThatThrownBy(() -> inbox.record(List.of(update(400, 4),
                new Inbox.Received(401, "message", 4L, "{not json"))))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("bot " + inbox.botId() + ": cannot record 2 updates (400 … 401)");
        assertThat(unhandledIds(4)).isEmpty();
        inbox.record(List.of(update(400, 4)));
        assertThat(unhandledIds(4)).as("the same connection pool still records").containsExactly(400L);
    }

    @Test
    void aHandledUpdateRecordedAgainStaysHandled() throws SQLException {
        inbox.record(List.of(update(500, 5)));
        try (Connection tx = tx()) {
            assertThat(inbox.markHandled(tx, 500)).isTrue();
            tx.commit();
        }
        inbox.record(List.of(update(500, 5)));
        assertThat(unhandledIds(5)).isEmpty();
        try (Connection tx = tx()) {
            assertThat(inbox.markHandled(tx, 500)).as("already handled").isFalse();
        }
    }

    @Test
    void markingAnUpdateTheInboxDoesNotHoldNamesIt() throws SQLException {
        try (Connection tx = tx()) {
            assertThatThrownBy(() -> inbox.markHandled(tx, 424_242)).isInstanceOf(StorageException.class)
                    .hasMessage("bot " + inbox.botId() + ": update 424242 is not in the inbox (expected an update "
                            + "recorded by Inbox.record)");
        }
    }

    @Test
    void ofTwoRacingTransactionsTheSecondGetsFalseOnceTheFirstCommits() throws Exception {
        inbox.record(List.of(update(600, 6)));
        try (Connection first = tx(); Connection second = tx()) {
            int secondPid = pid(second);
            assertThat(inbox.markHandled(first, 600)).isTrue();
            CompletableFuture<Boolean> racing = CompletableFuture.supplyAsync(() -> inbox.markHandled(second, 600),
                    threads);
            awaitBlockedOnALock(secondPid);
            assertThat(racing).as("waits for the first's row lock").isNotDone();
            first.commit();
            assertThat(racing.get(30, TimeUnit.SECONDS)).isFalse();
            second.rollback();
        }
        assertThat(unhandledIds(6)).isEmpty();
    }

    @Test
    void ofTwoRacingTransactionsTheSecondGetsTrueWhenTheFirstRollsBack() throws Exception {
        inbox.record(List.of(update(700, 7)));
        try (Connection first = tx(); Connection second = tx()) {
            int secondPid = pid(second);
            assertThat(inbox.markHandled(first, 700)).isTrue();
            CompletableFuture<Boolean> racing = CompletableFuture.supplyAsync(() -> inbox.markHandled(second, 700),
                    threads);
            awaitBlockedOnALock(secondPid);
            first.rollback();
            assertThat(racing.get(30, TimeUnit.SECONDS)).isTrue();
            second.commit();
        }
        assertThat(unhandledIds(7)).isEmpty();
    }

    @Test
    void aHandlerThatRollsBackLeavesTheUpdateUnhandledAndItsReplyUnqueued() throws SQLException {
        inbox.record(List.of(update(800, 8)));
        long queued;
        try (Connection tx = tx()) {
            assertThat(inbox.markHandled(tx, 800)).isTrue();
            queued = outbox.queue(tx, 8, 800L, "sendMessage", "{\"chat_id\": 8, \"text\": \"hi\"}");
            assertThat(outbox.state(queued)).as("not visible before commit").isEmpty();
            tx.rollback();
        }
        assertThat(unhandledIds(8)).containsExactly(800L);
        assertThat(outbox.state(queued)).isEmpty();
        assertThat(outbox.sendable(1000)).noneMatch(i -> i.chatId() == 8);
        // The same handling, committed: both appear, proving the checks above would have seen them.
        try (Connection tx = tx()) {
            assertThat(inbox.markHandled(tx, 800)).isTrue();
            queued = outbox.queue(tx, 8, 800L, "sendMessage", "{\"chat_id\": 8, \"text\": \"hi\"}");
            tx.commit();
        }
        assertThat(unhandledIds(8)).isEmpty();
        assertThat(outbox.state(queued)).contains(Outbox.State.QUEUED);
    }

    @Test
    void statsCountTheUnhandledAndTheOldestOnesAge() throws SQLException {
        Inbox.Stats before = inbox.stats();
        inbox.record(List.of(update(900, 9), update(901, 9)));
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE botvisor.updates SET received_at = now() - interval '90 seconds' WHERE update_id = 900"
                    + " AND bot_id = " + inbox.botId());
        }
        Inbox.Stats after = inbox.stats();
        assertThat(after.unhandled()).isEqualTo(before.unhandled() + 2);
        assertThat(after.oldestUnhandledAge()).isGreaterThanOrEqualTo(Duration.ofSeconds(90));
    }

    private static Connection tx() throws SQLException {
        Connection c = pool.dataSource().getConnection();
        c.setAutoCommit(false);
        return c;
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Until the session {@code pid} waits for a lock (seen by the superuser), or fails after 30 s. */
    private static void awaitBlockedOnALock(int pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SELECT wait_event_type FROM pg_stat_activity WHERE pid = "
                        + pid)) {
                    if (rs.next() && "Lock".equals(rs.getString(1))) {
                        return;
                    }
                }
                assertThat(System.nanoTime()).as("session " + pid + " waits for a lock within 30 s")
                        .isLessThan(deadline);
                // pg_sleep: the wait happens in the server, between two looks at pg_stat_activity.
                st.execute("SELECT pg_sleep(0.01)");
            }
        }
    }
}

package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bot's own rows through BotData, inside the caller's transaction, as its own role. */
class BotDataIT {
    @TempDir
    static Path state;
    static TestDatabase db;
    static BotPool poolA;
    static BotPool poolB;
    static BotData a;
    static BotData b;

    @BeforeAll
    static void setUp() {
        db = TestDatabase.start(state).migrated();
        BotRoles roles = new BotRoles(db.manager, db.files);
        BotCredentials ca = roles.ensure("data-a", "test");
        BotCredentials cb = roles.ensure("data-b", "test");
        poolA = BotPool.open(ca.botName(), db.manager.url(), ca.role(), db.files.botPassword(ca.botName()), 2);
        poolB = BotPool.open(cb.botName(), db.manager.url(), cb.role(), db.files.botPassword(cb.botName()), 2);
        a = BotData.of(poolA.dataSource());
        b = BotData.of(poolB.dataSource());
    }

    @AfterAll
    static void tearDown() {
        poolA.close();
        poolB.close();
        db.close();
    }

    private static Connection tx(BotPool pool) throws SQLException {
        Connection c = pool.dataSource().getConnection();
        c.setAutoCommit(false);
        return c;
    }

    @Test
    void aUserIsRecordedThenUpdatedAndKeepsItsData() throws SQLException {
        try (Connection tx = tx(poolA)) {
            BotData.User first = a.upsertUser(tx, 1, "ann", "Ann", null, "en");
            assertThat(first).extracting(BotData.User::username, BotData.User::firstName, BotData.User::lastName,
                    BotData.User::dataJson).containsExactly("ann", "Ann", null, "{}");
            assertThat(a.putUserData(tx, 1, "{\"persona\": \"pirate\"}")).isTrue();
            BotData.User renamed = a.upsertUser(tx, 1, "ann2", "Ann", "Lee", "en");
            assertThat(renamed.username()).isEqualTo("ann2");
            assertThat(renamed.dataJson()).isEqualTo("{\"persona\": \"pirate\"}");
            BotData.User same = a.upsertUser(tx, 1, "ann2", "Ann", "Lee", "en");
            assertThat(same).as("unchanged: read back").isEqualTo(renamed);
            tx.commit();
        }
        try (Connection tx = tx(poolA)) {
            assertThat(a.user(tx, 1)).map(BotData.User::lastName).contains("Lee");
            assertThat(a.putUserData(tx, 999, "{}")).as("no such user").isFalse();
        }
    }

    @Test
    void aConversationIsCreatedOnceAndKeepsItsState() throws SQLException {
        try (Connection tx = tx(poolA)) {
            BotData.Conversation c = a.ensureConversation(tx, 50, 1L, "chat with ann");
            assertThat(c).extracting(BotData.Conversation::userId, BotData.Conversation::title,
                    BotData.Conversation::stateJson, BotData.Conversation::lastMessageAt)
                    .containsExactly(1L, "chat with ann", "{}", null);
            assertThat(a.putConversationState(tx, 50, "{\"step\": 2}")).isTrue();
            Instant t = Instant.parse("2026-11-30T12:00:00Z");
            assertThat(a.touchConversation(tx, 50, t)).isTrue();
            assertThat(a.touchConversation(tx, 50, t.minusSeconds(60))).isTrue();
            BotData.Conversation again = a.ensureConversation(tx, 50, 2L, "another title");
            assertThat(again).extracting(BotData.Conversation::userId, BotData.Conversation::title,
                    BotData.Conversation::stateJson, BotData.Conversation::lastMessageAt)
                    .containsExactly(1L, "chat with ann", "{\"step\": 2}", t);
            tx.commit();
        }
    }

    @Test
    void messagesAreAppendedOnceAndReadNewestFirst() throws SQLException {
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<BotData.Message> batch = List.of(
                new BotData.Message(60, 1, t, 1L, true, "hello", null),
                new BotData.Message(60, -7, t.plusSeconds(1), null, false, "ahoy", "{\"outbox\": 7}"));
        try (Connection tx = tx(poolA)) {
            a.appendMessages(tx, batch);
            a.appendMessages(tx, batch);
            tx.commit();
        }
        try (Connection tx = tx(poolA)) {
            assertThat(a.recentMessages(tx, 60, 10)).containsExactly(
                    new BotData.Message(60, -7, t.plusSeconds(1), null, false, "ahoy", "{\"outbox\": 7}"),
                    new BotData.Message(60, 1, t, 1L, true, "hello", "{}"));
            assertThat(a.recentMessages(tx, 60, 1)).extracting(BotData.Message::body).containsExactly("ahoy");
        }
    }

    @Test
    void aHandlerThatRollsBackLeavesNoRows() throws SQLException {
        try (Connection tx = tx(poolA)) {
            a.upsertUser(tx, 70, "ghost", null, null, null);
            a.ensureConversation(tx, 70, 70L, null);
            assertThat(a.user(tx, 70)).as("seen inside the transaction").isPresent();
            tx.rollback();
        }
        try (Connection tx = tx(poolA)) {
            assertThat(a.user(tx, 70)).isEmpty();
            assertThat(a.conversation(tx, 70)).isEmpty();
        }
    }

    @Test
    void profilesAreListedByIdAndReadOneByOne() throws SQLException {
        try (Connection tx = tx(poolA)) {
            a.putProfile(tx, new BotData.Profile("pirate", "Pirate", "{\"greeting\": \"Ahoy\"}"));
            a.putProfile(tx, new BotData.Profile("butler", "Butler", "{\"greeting\": \"Good day\"}"));
            a.putProfile(tx, new BotData.Profile("pirate", "Captain", "{\"greeting\": \"Arr\"}"));
            tx.commit();
        }
        try (Connection tx = tx(poolA)) {
            assertThat(a.profiles(tx)).extracting(BotData.Profile::profileId).containsExactly("butler", "pirate");
            assertThat(a.profile(tx, "pirate")).contains(
                    new BotData.Profile("pirate", "Captain", "{\"greeting\": \"Arr\"}"));
            assertThat(a.profile(tx, "nobody")).isEmpty();
        }
    }

    /** Bot b writes; bot a, whose profiles another test lists, must not see them. */
    @Test
    void anotherBotSeesNoneOfThem() throws SQLException {
        try (Connection tx = tx(poolB)) {
            b.upsertUser(tx, 80, "private", null, null, null);
            b.ensureConversation(tx, 80, 80L, "private");
            b.putProfile(tx, new BotData.Profile("secret", "Secret", null));
            tx.commit();
        }
        try (Connection tx = tx(poolB)) {
            assertThat(b.user(tx, 80)).as("the writing bot's own read").isPresent();
        }
        try (Connection tx = tx(poolA)) {
            assertThat(a.botId()).isNotEqualTo(b.botId());
            assertThat(a.user(tx, 80)).isEmpty();
            assertThat(a.conversation(tx, 80)).isEmpty();
            assertThat(a.profile(tx, "secret")).isEmpty();
            assertThat(a.putUserData(tx, 80, "{\"stolen\": true}")).isFalse();
            assertThat(a.putConversationState(tx, 80, "{}")).isFalse();
            tx.commit();
        }
    }
}

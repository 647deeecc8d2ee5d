package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bot runtime's message path, through a bot's own pool and role. */
class MessageStoreIT {
    @TempDir
    static Path state;
    static TestDatabase db;
    static BotPool poolA;
    static BotPool poolB;

    @BeforeAll
    static void setUp() {
        db = TestDatabase.start(state).migrated();
        BotRoles roles = new BotRoles(db.manager, db.files);
        BotCredentials a = roles.ensure("store-a", "test");
        BotCredentials b = roles.ensure("store-b", "test");
        poolA = BotPool.open(a.botName(), db.manager.url(), a.role(), db.files.botPassword(a.botName()), 2);
        poolB = BotPool.open(b.botName(), db.manager.url(), b.role(), db.files.botPassword(b.botName()), 2);
    }

    @AfterAll
    static void tearDown() {
        poolA.close();
        poolB.close();
        db.close();
    }

    @Test
    void appendedMessagesAreReadBackNewestFirstAndARetriedBatchIsNotDuplicated() {
        MessageStore a = MessageStore.of(poolA.dataSource());
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        List<MessageStore.NewMessage> batch = List.of(
                new MessageStore.NewMessage(7, 1, t, 42L, true, "hi"),
                new MessageStore.NewMessage(7, 2, t.plusSeconds(1), null, false, "hello"));
        a.append(batch);
        a.append(batch);
        assertThat(a.recentBodies(7, 10)).containsExactly("hello", "hi");
    }

    @Test
    void anotherBotsStoreSeesNoneOfThem() {
        MessageStore a = MessageStore.of(poolA.dataSource());
        a.append(List.of(new MessageStore.NewMessage(8, 1, Instant.parse("2026-11-20T11:00:00Z"), 1L, true, "private")));
        assertThat(a.recentBodies(8, 10)).as("the writing bot's own read").containsExactly("private");
        MessageStore b = MessageStore.of(poolB.dataSource());
        assertThat(b.botId()).isNotEqualTo(a.botId());
        assertThat(b.recentBodies(8, 10)).isEmpty();
    }
}

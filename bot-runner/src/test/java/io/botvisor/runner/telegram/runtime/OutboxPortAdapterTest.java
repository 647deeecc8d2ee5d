package io.botvisor.runner.telegram.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.botvisor.storage.StorageException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While the bot runs from its journal the sender's view never waits on the database: a stopped server would hold the
 * caller for the deadline (5 s) at every outcome and claim. The pool here records every use (none may happen); the
 * outbox is absent (a use of it would fail the test).
 */
class OutboxPortAdapterTest {
    @TempDir
    Path root;
    private Journal journal;
    private Offline offline;
    private final List<String> poolUses = new ArrayList<>();
    private OutboxPortAdapter adapter;

    @BeforeEach
    void open() throws Exception {
        journal = Journal.create(root.resolve("own"), 64 * 1024);
        offline = new Offline("b", journal);
        offline.outboxChats().read(offline.outboxChats().mark(), Map.of());
        adapter = new OutboxPortAdapter(null, new DbGate(pool()), offline);
        offline.wentDown("test");
    }

    @AfterEach
    void close() throws Exception {
        journal.close();
    }

    @Test
    void anOutboxCallsOutcomeIsOwedAtOnceWhileTheBotRunsFromItsJournal() {
        assertThatThrownBy(() -> adapter.sent(5, 77L)).isInstanceOf(StorageException.class)
                .hasMessageContaining("outbox item 5: outcome SENT not recorded yet");
        assertThatThrownBy(() -> adapter.requeue(6, "timeout")).isInstanceOf(StorageException.class);
        assertThat(poolUses).as("the database was not asked").isEmpty();
    }

    @Test
    void anOutboxCallReadBeforeTheOutageIsNotClaimedWhileTheBotRunsFromItsJournal() {
        assertThat(adapter.sending(5)).isFalse();
        assertThat(poolUses).as("the database was not asked").isEmpty();
    }

    @Test
    void onItsDatabaseTheSameAdapterDoesAskTheOutbox() throws Exception {
        // The proof that the tests above would see a use: a bot that never went down reaches the (absent) outbox.
        Journal other = Journal.create(root.resolve("other"), 64 * 1024);
        try {
            OutboxPortAdapter up = new OutboxPortAdapter(null, new DbGate(pool()), new Offline("c", other));
            assertThatThrownBy(() -> up.sent(5, 77L)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> up.sending(5)).isInstanceOf(NullPointerException.class);
        } finally {
            other.close();
        }
    }

    private DataSource pool() {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    poolUses.add(method.getName());
                    throw new java.sql.SQLException("the database is stopped");
                });
    }
}

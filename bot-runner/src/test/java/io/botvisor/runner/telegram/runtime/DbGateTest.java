package io.botvisor.runner.telegram.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gate's verdict on a call that takes longer than the database's patience: down when it has its connection and
 * no answer, not when it still waits for the pool. The pool here hands out a connection when the test lets it.
 */
class DbGateTest {
    private final CountDownLatch poolGives = new CountDownLatch(1);
    private DbGate gate;

    @BeforeEach
    void open() throws Exception {
        gate = new DbGate(pool());
        poolGivesAtOnce = true;
        for (int i = 0; i < 30; i++) {
            assertThat(gate.call(() -> borrowAndAnswer(null))).isEqualTo(1);
        }
        assertThat(gate.patience()).as("fast answers: the shortest patience").isEqualTo(Patience.MIN);
        poolGivesAtOnce = false;
    }

    @AfterEach
    void close() {
        gate.close();
    }

    private volatile boolean poolGivesAtOnce;
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

    private int borrowAndAnswer(CountDownLatch statement) throws Exception {
        try (Connection c = gate.dataSource().getConnection()) {
            if (statement != null) {
                statement.await();
            }
            return 1;
        }
    }

    @Test
    void aCallWithItsConnectionAndNoAnswerPastThePatienceFindsTheDatabaseDown() {
        poolGivesAtOnce = true;
        CountDownLatch never = new CountDownLatch(1);
        assertThatThrownBy(() -> gate.call(() -> borrowAndAnswer(never))).isInstanceOf(DbGate.DownException.class)
                .hasMessage("no answer within 1000 ms");
    }

    @Test
    void aCallWithoutAnAnswerIsNotCalledDownWhileOtherCallsAreAnswered() throws Exception {
        poolGivesAtOnce = true;
        CountDownLatch slow = new CountDownLatch(1);
        CompletableFuture<Integer> f = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.call(() -> borrowAndAnswer(slow));
            } catch (DbGate.DownException e) {
                throw new IllegalStateException(e);
            }
        });
        // Twice the patience passes with other calls answered all along.
        long until = System.nanoTime() + 2 * Patience.MIN.toNanos();
        while (System.nanoTime() < until && !f.isDone()) {
            assertThat(gate.call(() -> borrowAndAnswer(null))).isEqualTo(1);
        }
        assertThat(f).as("the database answers others: slow, not down").isNotDone();
        slow.countDown();
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void afterACallGoesUnansweredTheNextAreGivenTwiceThePatience() {
        poolGivesAtOnce = true;
        CountDownLatch never = new CountDownLatch(1);
        assertThatThrownBy(() -> gate.call(() -> borrowAndAnswer(never))).isInstanceOf(DbGate.DownException.class);
        assertThat(gate.patience()).isEqualTo(Patience.MIN.multipliedBy(2));
    }

    @Test
    void aLateAnswerTeachesThePatienceWhatTheDatabaseTakesNow() throws Exception {
        poolGivesAtOnce = true;
        CountDownLatch late = new CountDownLatch(1);
        assertThatThrownBy(() -> gate.call(() -> borrowAndAnswer(late))).isInstanceOf(DbGate.DownException.class);
        late.countDown(); // answered after more than the patience (1 s): the back-off ends, the estimate grows
        CompletableFuture<Duration> learnt = CompletableFuture.supplyAsync(() -> {
            Duration d = gate.patience();
            while (d.equals(Patience.MIN.multipliedBy(2))) {
                Thread.onSpinWait();
                d = gate.patience();
            }
            return d;
        });
        assertThat(learnt.get(30, TimeUnit.SECONDS)).isGreaterThan(Patience.MIN)
                .isLessThan(Patience.MIN.multipliedBy(2));
    }

    @Test
    void aCallWaitingForThePoolIsNotCalledDownWhileThePoolHandsOutConnections() throws Exception {
        CompletableFuture<Integer> f = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.call(() -> borrowAndAnswer(null));
            } catch (DbGate.DownException e) {
                throw new IllegalStateException(e);
            }
        });
        awaitWaiters(1);
        poolGivesAtOnce = true; // to the others: the pool's connections cycle (handlers take and give them back)
        long until = System.nanoTime() + 2 * Patience.MIN.toNanos();
        while (System.nanoTime() < until && !f.isDone()) {
            gate.connection(Duration.ofSeconds(5), Duration.ofSeconds(5)).close();
        }
        assertThat(f).as("a busy pool, not a database down").isNotDone();
        poolGives.countDown();
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void aCallWaitingForThePoolWhileTheDatabaseShowsNoProgressIsCalledDownAfterThePatience() {
        // e.g. the pool validating its idle connection against a stopped server
        assertThatThrownBy(() -> gate.call(() -> borrowAndAnswer(null))).isInstanceOf(DbGate.DownException.class)
                .hasMessage("no connection from the pool within " + Patience.MIN.toMillis() + " ms");
    }

    private void awaitWaiters(int n) throws Exception {
        CompletableFuture.runAsync(() -> {
            while (waiting.get() < n) {
                Thread.onSpinWait();
            }
        }).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aCallGivenItsOwnDeadlineIsCalledDownThenWhereverItWaits() {
        assertThatThrownBy(() -> gate.call(() -> borrowAndAnswer(null), Duration.ofMillis(300)))
                .isInstanceOf(DbGate.DownException.class).hasMessage("no answer within 300 ms");
    }

    private DataSource pool() {
        Connection connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> null);
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("getConnection")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    if (!poolGivesAtOnce) {
                        waiting.incrementAndGet();
                        poolGives.await();
                    }
                    return connection;
                });
    }
}

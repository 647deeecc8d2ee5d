package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bot's pool against a real server: what it reports, and how a new grant changes it. */
class BotPoolIT {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    @TempDir
    static Path state;
    static TestDatabase db;
    static BotCredentials bot;
    BotPool pool;

    @BeforeAll
    static void setUp() {
        db = TestDatabase.start(state).migrated();
        bot = new BotRoles(db.manager, db.files).ensure("pool-bot", "test");
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @BeforeEach
    void open() {
        pool = BotPool.open(bot.botName(), db.manager.url(), bot.role(), db.files.botPassword(bot.botName()), 1);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void aBotConnectionUsesGenericPlans() throws Exception {
        try (var c = pool.dataSource().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SHOW plan_cache_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("force_generic_plan");
        }
    }

    @Test
    void aBorrowThatFindsEveryConnectionInUseIsCountedAsContended() throws Exception {
        CompletableFuture<Void> second;
        try (Connection first = pool.dataSource().getConnection()) {
            assertThat(pool.usage().contended()).isZero();
            second = borrowOnAnotherThread();
            await("the second borrower to wait", () -> pool.usage().waiting() == 1);
        }
        second.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        BotPool.Usage u = pool.usage();
        assertThat(u.contended()).isEqualTo(1);
        assertThat(u.contendedAtMax()).isEqualTo(1);
        assertThat(u.peakInUse()).isEqualTo(1);
        assertThat(u.timeouts()).isZero();
    }

    @Test
    void aRaisedMaximumLetsASecondConnectionOpenAndPeakInUseShowsBoth() throws Exception {
        try (Connection first = pool.dataSource().getConnection()) {
            pool.resize(2);
            try (Connection second = pool.dataSource().getConnection()) {
                assertThat(second.isValid(5)).isTrue();
                assertThat(pool.usage().open()).isEqualTo(2);
            }
        }
        BotPool.Usage u = pool.usage();
        assertThat(u.max()).isEqualTo(2);
        assertThat(u.peakInUse()).isEqualTo(2);
        assertThat(u.contended()).isZero();
        assertThat(pool.usage().peakInUse()).as("the peak starts over after each report").isZero();
    }

    @Test
    void aLoweredMaximumClosesTheConnectionsAboveItAndHoldsTheBorrowersToIt() throws Exception {
        pool.resize(2);
        try (Connection a = pool.dataSource().getConnection(); Connection b = pool.dataSource().getConnection()) {
            assertThat(pool.usage().open()).isEqualTo(2);
        }
        pool.resize(1);
        await("the idle connections above the new maximum to close", () -> pool.usage().open() <= 1);
        CompletableFuture<Void> second;
        try (Connection first = pool.dataSource().getConnection()) {
            second = borrowOnAnotherThread();
            await("the second borrower to wait", () -> pool.usage().waiting() == 1);
            assertThat(pool.usage().open()).isEqualTo(1);
        }
        second.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(pool.usage().contended()).isEqualTo(1);
        pool.resize(2);
        assertThat(pool.usage().contendedAtMax()).as("contention at the old maximum is not counted at the new")
                .isZero();
        assertThat(pool.usage().contended()).isEqualTo(1);
    }

    /** A second borrower, which waits while the pool is full; its future fails if the borrow does. */
    private CompletableFuture<Void> borrowOnAnotherThread() {
        return CompletableFuture.runAsync(() -> {
            try (Connection c = pool.dataSource().getConnection()) {
                c.isValid(5);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + DEADLINE.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}

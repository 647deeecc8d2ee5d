package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bot A tries to hold a lock that stalls bot B: a table lock in a mode that conflicts with B's reads or writes, row
 * locks on shared rows. Every one is refused, and B's ordinary queries go through while A's transaction stays open.
 */
class TableLocksIT {
    /** Every relation a bot has a privilege on, and whether it may write it (else it only reads). */
    private static final List<String> WRITABLE = List.of("users", "profiles", "conversations", "messages",
            "bot_metrics", "updates", "outbox");
    private static final List<String> READ_ONLY = List.of("settings", "bots", "bot_activity_summary",
            "daily_metrics_summary");
    private static final Set<String> VIEWS = Set.of("bot_activity_summary", "daily_metrics_summary");
    /**
     * The modes above ROW EXCLUSIVE: each conflicts with another bot's writes, or with the maintenance job's
     * partition changes (SHARE UPDATE EXCLUSIVE), whose queued lock then stalls every bot behind it.
     */
    private static final List<String> STRONG_MODES = List.of("SHARE UPDATE EXCLUSIVE", "SHARE",
            "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE");
    /** How long B's query may wait for a lock here: only a lock A was wrongly given makes it wait at all. */
    private static final String B_LOCK_TIMEOUT = "5s";

    @TempDir
    static Path state;
    static TestDatabase db;
    static BotCredentials a;
    static BotCredentials b;

    @BeforeAll
    static void setUp() {
        db = TestDatabase.start(state).migrated();
        BotRoles roles = new BotRoles(db.manager, db.files);
        a = roles.ensure("bot-a", "test-1");
        b = roles.ensure("bot-b", "test-2");
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    static Stream<Arguments> tablesAndModes() {
        return Stream.concat(WRITABLE.stream(), READ_ONLY.stream())
                .flatMap(t -> STRONG_MODES.stream().map(m -> Arguments.of(t, m)));
    }

    @ParameterizedTest(name = "{0} in {1} mode")
    @MethodSource("tablesAndModes")
    void botCannotLockATableAgainstAnotherBot(String table, String mode) throws SQLException {
        try (Connection held = db.as(a).connect(); Statement st = held.createStatement()) {
            held.setAutoCommit(false);
            st.execute("SELECT 1");
            Throwable lock = catchThrowable(() -> st.execute("LOCK TABLE botvisor." + table + " IN " + mode
                    + " MODE"));
            // A's transaction is still open (held): B reads, and writes where it may.
            Throwable query = catchThrowable(() -> ordinaryQueries(table));
            assertThat(query).as("bot B's queries on %s while bot A's transaction is open", table).isNull();
            assertThat(lock).as("bot A's LOCK TABLE %s IN %s MODE", table, mode).isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied for " + (VIEWS.contains(table) ? "view " : "table ")
                            + table);
        }
    }

    @Test
    void botCannotLockSharedRows() {
        for (String table : List.of("settings", "bots")) {
            for (String strength : List.of("UPDATE", "NO KEY UPDATE", "SHARE", "KEY SHARE")) {
                assertThatThrownBy(() -> exec(a, "SELECT 1 FROM botvisor." + table + " FOR " + strength))
                        .as("SELECT … FOR %s on %s", strength, table)
                        .hasMessageContaining("permission denied for table " + table);
            }
        }
    }

    @Test
    void botMayStillTakeTheLocksItsOwnWritesTake() throws SQLException {
        for (String table : WRITABLE) {
            assertThat(exec(a, "BEGIN; LOCK TABLE botvisor." + table + " IN ROW EXCLUSIVE MODE; COMMIT")).isZero();
        }
    }

    @Test
    void botSessionsStopWaitingForALockAndEndAnIdleTransactionByDefault() throws SQLException {
        try (Connection c = db.as(b).connect(); Statement st = c.createStatement()) {
            assertThat(show(st, "lock_timeout")).isEqualTo(BotRoles.LOCK_TIMEOUT);
            assertThat(show(st, "idle_in_transaction_session_timeout"))
                    .isEqualTo(BotRoles.IDLE_IN_TRANSACTION_TIMEOUT);
        }
    }

    @Test
    void registeringAgainGivesARoleMadeBeforeTheDefaultsThem() throws SQLException {
        BotRoles roles = new BotRoles(db.manager, db.files);
        BotCredentials older = roles.ensure("bot-older", "test-3");
        try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + older.role() + " RESET ALL");
        }
        try (Connection c = db.as(older).connect(); Statement st = c.createStatement()) {
            assertThat(show(st, "lock_timeout")).as("the role without its defaults").isEqualTo("0");
        }
        roles.ensure("bot-older", "test-4");
        try (Connection c = db.as(older).connect(); Statement st = c.createStatement()) {
            assertThat(show(st, "lock_timeout")).isEqualTo(BotRoles.LOCK_TIMEOUT);
            assertThat(show(st, "idle_in_transaction_session_timeout"))
                    .isEqualTo(BotRoles.IDLE_IN_TRANSACTION_TIMEOUT);
        }
    }

    private static String show(Statement st, String setting) throws SQLException {
        try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** What every bot does all day: a read, and the table lock of a write (ROW EXCLUSIVE) where it may write. */
    private static void ordinaryQueries(String table) throws SQLException {
        try (Connection c = db.as(b).connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SET LOCAL lock_timeout = '" + B_LOCK_TIMEOUT + "'");
            st.executeQuery("SELECT count(*) FROM botvisor." + table).close();
            if (WRITABLE.contains(table)) {
                st.execute("LOCK TABLE botvisor." + table + " IN ROW EXCLUSIVE MODE");
            }
            c.rollback();
        }
    }

    private static int exec(BotCredentials bot, String sql) throws SQLException {
        try (Connection c = db.as(bot).connect(); Statement st = c.createStatement()) {
            st.execute(sql);
            return Math.max(0, st.getUpdateCount());
        }
    }
}

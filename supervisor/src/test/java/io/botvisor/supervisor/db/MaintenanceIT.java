package io.botvisor.supervisor.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.storage.DbEndpoint;
import io.botvisor.supervisor.config.Specs;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor's maintenance job against a real embedded PostgreSQL: the inbox's and outbox's retention. */
class MaintenanceIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final Specs.Retention KEEP = new Specs.Retention(Duration.ofDays(365), Duration.ofDays(90),
            Duration.ofDays(730), Duration.ofDays(7), Duration.ofDays(30));
    private static final Specs.Database SPEC = new Specs.Database(true, null, null, null, null, 10, false, 4,
            new Specs.Pools(4, Duration.ofSeconds(30)), KEEP);

    @TempDir
    Path dir;
    private FleetDatabase db;
    private int bot;
    private final LogCapture logs = new LogCapture();

    @BeforeEach
    void openDatabase() {
        db = FleetDatabase.open(SPEC, dir, 1, Map.of());
        bot = db.registerAll(List.of("shop-1"), "test", 1).get(0).botId();
    }

    @AfterEach
    void closeDatabase() {
        logs.close();
        db.close();
    }

    @Test
    void expiredInboxAndOutboxRowsGoInStepsAndEverythingElseStays() throws Exception {
        int old = Maintenance.EXPIRE_STEP * 2 + 5;
        exec("INSERT INTO botvisor.updates (bot_id, update_id, kind, payload, received_at, handled_at) SELECT " + bot
                + ", i, 'old handled', '{}', now() - interval '9 days', now() - interval '8 days' "
                + "FROM generate_series(1, " + old + ") i");
        exec("INSERT INTO botvisor.updates (bot_id, update_id, kind, payload, received_at, handled_at) VALUES "
                + "(" + bot + ", -1, 'recent handled', '{}', now() - interval '9 days', now() - interval '6 days'), "
                + "(" + bot + ", -2, 'old unhandled', '{}', now() - interval '60 days', NULL)");
        exec("INSERT INTO botvisor.outbox (bot_id, chat_id, method, payload, state, queued_at) VALUES "
                + "(" + bot + ", 1, 'old sent', '{}', 'sent', now() - interval '31 days'), "
                + "(" + bot + ", 1, 'old queued', '{}', 'queued', now() - interval '31 days'), "
                + "(" + bot + ", 1, 'recent sent', '{}', 'sent', now() - interval '29 days')");
        assertThat(query("SELECT count(*) FROM botvisor.updates WHERE kind = 'old handled'"))
                .isEqualTo(String.valueOf(old));

        Maintenance maintenance = new Maintenance(db.manager(), KEEP);
        maintenance.start();
        try {
            await("the expired rows to go", () -> query("SELECT count(*) FROM botvisor.updates WHERE kind = "
                    + "'old handled'").equals("0") && query("SELECT count(*) FROM botvisor.outbox WHERE method = "
                    + "'old sent'").equals("0"));
        } finally {
            maintenance.close();
        }
        assertThat(query("SELECT string_agg(kind, ',' ORDER BY kind) FROM botvisor.updates"))
                .isEqualTo("old unhandled,recent handled");
        assertThat(query("SELECT string_agg(method, ',' ORDER BY method) FROM botvisor.outbox"))
                .isEqualTo("old queued,recent sent");
        assertThat(logs.warnings()).isEmpty();
    }

    private interface Check {
        boolean holds() throws SQLException;
    }

    private void exec(String sql) throws SQLException {
        try (Connection c = db.manager().connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private String query(String sql) throws SQLException {
        DbEndpoint e = db.manager();
        try (Connection c = e.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void await(String what, Check condition) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; warnings: " + logs.warnings());
            }
            // Polling a condition against a deadline, not a timing guess.
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }
}

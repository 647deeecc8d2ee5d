package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server as botvisor configures it, not as zonky's test defaults would. */
class EmbeddedDatabaseIT {
    @TempDir
    Path state;

    @Test
    void committedDataIsDurableAndEveryLoginNeedsItsPassword() throws SQLException {
        try (TestDatabase db = TestDatabase.start(state)) {
            assertThat(show(db.manager, "fsync")).isEqualTo("on");
            assertThat(show(db.manager, "synchronous_commit")).isEqualTo("on");
            assertThat(show(db.manager, "listen_addresses")).isEqualTo("127.0.0.1");
            assertThatThrownBy(() -> db.manager.as(EmbeddedDatabase.SUPERUSER, "wrong").connect().close())
                    .hasMessageContaining("password authentication failed");
            assertThatThrownBy(() -> db.manager.as(EmbeddedDatabase.SUPERUSER, null).connect().close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("no password was provided");
        }
    }

    @Test
    void theServerLogsIntoAFilePerWeekdayThatIsOverwrittenAWeekLater() throws Exception {
        try (TestDatabase db = TestDatabase.start(state)) {
            Path dir = DbFiles.under(state).serverLogDir();
            assertThat(show(db.manager, "logging_collector")).isEqualTo("on");
            assertThat(show(db.manager, "log_directory")).isEqualTo(dir.toString());
            assertThat(show(db.manager, "log_filename")).isEqualTo("postgresql-%a.log");
            assertThat(show(db.manager, "log_truncate_on_rotation")).isEqualTo("on");
            // Overwritten a week later, not sooner: one rotation a day, none by size (a size rotation would
            // truncate the same day's file).
            assertThat(show(db.manager, "log_rotation_age")).isEqualTo("1d");
            assertThat(show(db.manager, "log_rotation_size")).isEqualTo("0");
            try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
                st.execute("DO $$ BEGIN RAISE WARNING 'botvisor log check'; END $$");
            }
            long end = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (logFilesSaying(dir, "botvisor log check").isEmpty()) {
                assertThat(System.nanoTime()).as("the warning to reach a log file in " + dir).isLessThan(end);
                Thread.sleep(20);
            }
            assertThat(logFilesSaying(dir, "botvisor log check"))
                    .allMatch(name -> name.matches("postgresql-(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\\.log"));
        }
    }

    private static java.util.List<String> logFilesSaying(Path dir, String text) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return java.util.List.of();
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                try {
                    // Latin-1 decodes any byte: a server message in another encoding cannot hide the file.
                    return Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1).contains(text);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(f -> f.getFileName().toString()).toList();
        }
    }

    @Test
    void restartKeepsTheDataThePortAndThePassword() throws Exception {
        int port;
        try (TestDatabase db = TestDatabase.start(state)) {
            port = db.server.port();
            try (Connection c = db.manager.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)");
            }
        }
        assertThat(Files.readString(DbFiles.under(state).port()).strip()).isEqualTo(Integer.toString(port));
        try (TestDatabase db = TestDatabase.start(state)) {
            assertThat(db.server.port()).isEqualTo(port);
            try (Connection c = db.manager.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT x FROM kept")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
    }

    @Test
    void closeLeavesNoServerRunning() {
        long pid;
        try (TestDatabase db = TestDatabase.start(state)) {
            pid = db.server.pid();
            assertThat(ProcessHandle.of(pid)).isPresent();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void stopLeftoverStopsAServerOnTheFilesThatNoOneCloses() {
        try (TestDatabase db = TestDatabase.start(state)) {
            long pid = db.server.pid();
            EmbeddedDatabase.stopLeftover(DbFiles.under(state)); // as if the object that started it were lost
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    private static String show(DbEndpoint e, String setting) throws SQLException {
        try (Connection c = e.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW "
                + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}

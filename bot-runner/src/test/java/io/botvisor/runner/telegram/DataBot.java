package io.botvisor.runner.telegram;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A Telegram bot for the supervisor's tests, run by class name from bot-runner's test classes: {@code /db} answers
 * from the bot's database ({@code db ok <n>}: its own updates so far); {@code /late} queues its reply ({@code late}),
 * then waits in its transaction for the advisory lock {@link #LATE_LOCK} (a test holds it to keep the transaction
 * open), or, with the database down, answers with the reply alone; anything else is echoed without the database.
 */
public final class DataBot extends TelegramBot {
    /** The advisory lock {@code /late} waits for. */
    public static final long LATE_LOCK = 7_002_777;

    @Override
    protected void handlers(Handlers on) {
        on.command("db", turn -> {
            try (Statement s = turn.connection().createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM botvisor.updates")) {
                rs.next();
                turn.reply("db ok " + rs.getLong(1));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        on.command("late", turn -> {
            turn.reply("late");
            Connection c;
            try {
                c = turn.connection();
            } catch (DatabaseUnavailableException e) {
                return; // from the journal: the reply alone
            }
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + LATE_LOCK + ")");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        on.text(turn -> turn.reply(turn.update().text().orElseThrow()));
    }
}

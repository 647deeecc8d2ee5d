package io.botvisor.runner.telegram;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A Telegram bot for the supervisor's tests, run by class name from bot-runner's test classes: {@code /db} answers
 * from the bot's database ({@code db ok <n>}: its own updates so far), anything else is echoed without it.
 */
public final class DataBot extends TelegramBot {
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
        on.text(turn -> turn.reply(turn.update().text().orElseThrow()));
    }
}

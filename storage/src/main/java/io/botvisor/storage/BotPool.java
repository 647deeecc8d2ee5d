package io.botvisor.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.botvisor.storage.internal.Secrets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A bot's own connection pool (HikariCP), as the bot's own role, sized by the supervisor from the fleet's budget.
 * It holds no connection while idle (minimumIdle 0, idle ones closed after {@link #IDLE_TIMEOUT}), so an idle fleet
 * costs the server nothing; a bot whose pool is busy waits up to {@link #WAIT} for a connection rather than failing,
 * and the wait is the bot's to report. It does not fail to open when the database is down: bots keep running
 * through an outage. The password is read from its 0600 file here and nowhere else. Thread-safe (HikariCP).
 */
public final class BotPool {
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    static final Duration WAIT = Duration.ofSeconds(60);

    private BotPool() {
    }

    public static HikariDataSource open(String botName, String url, String user, Path passwordFile, int poolSize) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("bot '" + botName + "': poolSize " + poolSize
                    + " is out of range (expected 1 or more)");
        }
        HikariConfig c = new HikariConfig();
        c.setPoolName("bot-" + botName);
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(Secrets.read(passwordFile));
        c.setMaximumPoolSize(poolSize);
        c.setMinimumIdle(0);
        c.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        c.setConnectionTimeout(WAIT.toMillis());
        c.setInitializationFailTimeout(-1);
        c.addDataSourceProperty("ApplicationName", "botvisor bot " + botName);
        c.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(c);
    }
}

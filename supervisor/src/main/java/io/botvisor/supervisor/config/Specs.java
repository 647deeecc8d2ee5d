package io.botvisor.supervisor.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The fleet file, parsed, merged with defaults and validated. All records are immutable. */
public final class Specs {
    private Specs() {
    }

    public record Fleet(Path file, int startConcurrency, Isolation isolation, List<Bot> bots, Database database,
                        Metrics metrics) {
        public Fleet {
            bots = List.copyOf(bots);
        }

        public java.util.Optional<Bot> bot(String id) {
            return bots.stream().filter(b -> b.id().equals(id)).findFirst();
        }
    }

    /**
     * One bot. {@code runner} is set for a bot-runner child (a built-in type name or a class name), {@code command}
     * for a plain command; exactly one of them. {@code memoryLimit} is 0 when unset. {@code env} holds values from
     * {@code env:} and the secrets file: all of them are treated as secret.
     */
    public record Bot(String id, String runner, List<String> classpath, List<String> command,
                      Map<String, String> config, Restart restart, Health health, Duration stopTimeout, Jvm jvm,
                      long memoryLimit, Map<String, String> env, Logs logs, Limits limits, Telegram telegram) {
        public Bot {
            classpath = List.copyOf(classpath);
            command = List.copyOf(command);
            config = Map.copyOf(config);
            env = Map.copyOf(env);
        }

        public boolean isCommand() {
            return runner == null;
        }
    }

    /**
     * How a bot-runner bot talks to the Telegram Bot API ({@code telegram:}); null on a {@code command:} bot, which
     * knows nothing of it. {@code perChat}, {@code perGroup} and {@code overall} are send rates as the operator wrote
     * them ({@code 1/s}, {@code 20/min}; checked here, applied by the child). {@code uncertainSends} is
     * {@code retry-once} or {@code never}. {@code whenDatabaseDown} is {@code wait} or {@code apologize} (with the
     * reply {@code apology}); {@code journalMaxBytes} caps the bot's local journal (docs/telegram.md).
     */
    public record Telegram(String apiUrl, Duration pollTimeout, List<String> allowedUpdates, int handlerThreads,
                           Duration handlerTimeout, String perChat, String perGroup, String overall,
                           String uncertainSends, String whenDatabaseDown, String apology, long journalMaxBytes) {
        public Telegram {
            allowedUpdates = List.copyOf(allowedUpdates);
        }
    }

    /**
     * Whether each bot runs under its own user ({@code supervisor.isolation}) and the uids they get
     * ({@code supervisor.botUids}, inclusive).
     */
    public record Isolation(Mode mode, long firstUid, long lastUid) {
        public enum Mode {
            /** Own users when the supervisor can switch users (root, or CAP_SETUID and CAP_SETGID); else none, said. */
            AUTO,
            /** Own users, or the supervisor refuses to start. */
            USERS,
            /** The operator chose no walls between bots: no warning. */
            NONE
        }
    }

    /**
     * The metric files ({@code supervisor.metrics}): written every {@code interval} and on state changes unless
     * {@code enabled} is false; {@code group} (a name or number; null: the supervisor's own group) may read them.
     */
    public record Metrics(boolean enabled, Duration interval, String group) {
    }

    /** Per-uid limits of a bot's processes: tasks (processes and threads: RLIMIT_NPROC) and open files. */
    public record Limits(int processes, int openFiles) {
    }

    public record Restart(RestartPolicy policy, Backoff backoff, int maxRestarts, Duration window,
                          Duration resetAfter) {
    }

    public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {
    }

    /** {@code minScore} and {@code unhealthyFor}: a score below the one for longer than the other → restart. */
    public record Health(Duration heartbeatInterval, Duration heartbeatTimeout, Duration startupTimeout,
                         int minScore, Duration unhealthyFor) {
    }

    public record Jvm(long heapBytes, List<String> options) {
        public Jvm {
            options = List.copyOf(options);
        }
    }

    /**
     * Per-bot output files: rotate at {@code maxFileBytes}, keep {@code maxFiles} rotated files besides the live one;
     * {@code timestamps}: the supervisor starts each line of the child's stdout and stderr with the time it arrived
     * (off for a bot that stamps its own lines).
     */
    public record Logs(long maxFileBytes, int maxFiles, boolean timestamps) {
        /** Stamped lines (the default). */
        public Logs(long maxFileBytes, int maxFiles) {
            this(maxFileBytes, maxFiles, true);
        }
    }

    /**
     * The fleet's database; {@code enabled} false → none (bots get no database access). {@code url} null → the
     * embedded server (then adminUser, passwordFile and sslMode are
     * null). {@code maxConnections} is the fleet's connection budget, shared by the bots' pools.
     */
    public record Database(boolean enabled, String url, String adminUser, Path passwordFile, String sslMode,
                           int maxConnections, boolean migrateOnStart, int hashPartitions, Pools pools,
                           Retention retention) {
        /** The environment variable an external server's password may come from when there is no passwordFile. */
        public static final String ENV_PASSWORD = "BOTVISOR_DB_PASSWORD";

        public boolean embedded() {
            return url == null;
        }

        /**
         * The connection budget for a fleet of {@code bots} bot-runner bots: {@code maxConnections}, or when it is
         * {@code auto} (-1), 20 more than the bots and at least 60, so that every bot has its guaranteed connection.
         */
        public int budget(int bots) {
            return maxConnections > 0 ? maxConnections : Math.max(60, bots + 20);
        }
    }

    /**
     * How the budget is lent to bots' pools: a pool grows, while its borrowers wait, up to {@code maxPerBot}
     * connections as long as the budget has some left; a pool that used fewer than its grant for {@code shrinkAfter}
     * is cut back to what it used (at least one).
     */
    public record Pools(int maxPerBot, Duration shrinkAfter) {
    }

    /**
     * How long rows are kept: messages, metrics and audit rows by whole months (expired months are dropped); handled
     * inbox updates and sent or failed outbox calls row by row.
     */
    public record Retention(Duration messages, Duration metrics, Duration audit, Duration updates, Duration outbox) {
        /** The shortest inbox retention: Telegram sends an unconfirmed update again for 24 h. */
        public static final Duration MIN_UPDATES = Duration.ofDays(1);
    }
}

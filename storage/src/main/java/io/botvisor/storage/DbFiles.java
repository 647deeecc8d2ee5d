package io.botvisor.storage;

import java.nio.file.Path;

/**
 * The database's files under a state directory ({@code STATE/db}): the embedded server's data directory and the
 * generated passwords, each in its own 0600 file. Immutable.
 */
public record DbFiles(Path root) {

    public static DbFiles under(Path stateDir) {
        return new DbFiles(stateDir.resolve("db"));
    }

    /** The embedded server's data directory (kept across restarts). */
    public Path data() {
        return root.resolve("data");
    }

    /** The embedded server's port, chosen at its first start and kept, so that its URL does not change. */
    public Path port() {
        return root.resolve("port");
    }

    /** The embedded server's stdout and stderr: what it says before its log collector starts (a few lines a start). */
    public Path serverLog() {
        return root.resolve("postgres.log");
    }

    /** The embedded server's log files, one per weekday ({@code postgresql-Mon.log} …), each overwritten a week later. */
    public Path serverLogDir() {
        return root.resolve("log");
    }

    /** The embedded server's superuser password. */
    public Path superuserPassword() {
        return root.resolve("secrets").resolve("postgres.password");
    }

    /** The password of the admin role the supervisor logs in as. */
    public Path adminPassword() {
        return root.resolve("secrets").resolve("admin.password");
    }

    /**
     * The password of one bot's login role.
     *
     * @throws IllegalArgumentException if {@code botName} is not a bot id (it would name a file elsewhere)
     */
    public Path botPassword(String botName) {
        BotRoles.requireBotName(botName);
        return root.resolve("secrets").resolve("bot-" + botName + ".password");
    }
}

package io.botvisor.supervisor.control;

import io.botvisor.ipc.Message;
import io.botvisor.ipc.Printable;
import io.botvisor.supervisor.core.ChildCommands;
import io.botvisor.supervisor.core.Supervisor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * {@code ctl loglevel BOT [LOGGER] LEVEL} and {@code ctl dump BOT}: checks the request, relays it to the bot's child
 * ({@link ChildCommands}) and replies when the child answers or its deadline passes, without the loop waiting.
 * Exit codes: 0 done; 1 the bot is not RUNNING, the child failed or did not answer; 2 a bad request, an unknown bot, or
 * a {@code command:} bot (it has no bot-runner to ask). Loop thread only, as {@link ControlServer}.
 */
final class BotCommandRequests {
    static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
    /** Longest logger name taken: far beyond any class name, short enough to print. */
    static final int MAX_LOGGER_CHARS = 256;
    /** The child's own deadline ends this much before the request's, so that ctl hears why rather than nothing. */
    private static final long MARGIN_MILLIS = 500;

    /** Writes the control reply. */
    interface Replier {
        void reply(Message.ControlRequest r, int exitCode, String output);
    }

    private final Supervisor supervisor;
    private final Path stateDir;
    private final Replier replier;
    private final BiConsumer<String, Message.ControlRequest> audit;

    /** {@code audit} records an action on a bot: (bot, request). */
    BotCommandRequests(Supervisor supervisor, Path stateDir, Replier replier,
                       BiConsumer<String, Message.ControlRequest> audit) {
        this.supervisor = supervisor;
        this.stateDir = stateDir;
        this.replier = replier;
        this.audit = audit;
    }

    void logLevel(Message.ControlRequest r) {
        List<String> a = r.args();
        if (a.size() < 2 || a.size() > 3) {
            replier.reply(r, 2, "loglevel: expected BOT [LOGGER] LEVEL, e.g. 'loglevel shop-1 com.example DEBUG' "
                    + "(no LOGGER: the root logger)");
            return;
        }
        String bot = a.get(0);
        String logger = a.size() == 3 ? a.get(1) : "ROOT";
        String level = a.get(a.size() - 1).toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            replier.reply(r, 2, "loglevel: level \"" + Printable.oneLine(a.get(a.size() - 1), 80)
                    + "\" is unknown (expected one of " + String.join(", ", LEVELS) + ")");
            return;
        }
        if (logger.isEmpty() || logger.length() > MAX_LOGGER_CHARS || logger.codePoints().anyMatch(
                c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            replier.reply(r, 2, "loglevel: logger \"" + Printable.oneLine(logger, 80) + "\" is not a "
                    + "logger name (expected up to " + MAX_LOGGER_CHARS + " characters without spaces, e.g. "
                    + "com.example or ROOT)");
            return;
        }
        if (!known(r, bot)) {
            return;
        }
        CompletableFuture<ChildCommands.Answer> answer = supervisor.childCommands().logLevel(bot, logger, level,
                timeout(r));
        if (!answer.isDone()) {
            audit.accept(bot, r); // sent: the bot's logging changes
        }
        answer.thenAccept(ans -> replier.reply(r, code(ans), ans.outcome() == ChildCommands.Outcome.DONE
                ? bot + ": " + ans.detail() : ans.detail()));
    }

    void dump(Message.ControlRequest r) {
        if (r.args().size() != 1) {
            replier.reply(r, 2, "dump: expected one BOT, e.g. 'dump shop-1'");
            return;
        }
        String bot = r.args().get(0);
        if (!known(r, bot)) {
            return;
        }
        supervisor.childCommands().threadDump(bot, timeout(r)).thenAccept(ans -> replier.reply(r, code(ans),
                ans.outcome() == ChildCommands.Outcome.DONE ? ans.detail().stripTrailing() + "\n\n(also written to "
                        + stateDir.resolve("logs").resolve(bot).resolve("stdout.log") + ")" : ans.detail()));
    }

    private boolean known(Message.ControlRequest r, String bot) {
        if (supervisor.hasBot(bot)) {
            return true;
        }
        replier.reply(r, 2, "unknown bot '" + Printable.oneLine(bot, 80) + "' (known: "
                + String.join(", ", supervisor.botIds()) + ")");
        return false;
    }

    private static Duration timeout(Message.ControlRequest r) {
        long left = r.expiresAtMillis() - System.currentTimeMillis() - MARGIN_MILLIS;
        return Duration.ofMillis(Math.max(1, Math.min(left, ChildCommands.DEFAULT_TIMEOUT.toMillis())));
    }

    private static int code(ChildCommands.Answer a) {
        return switch (a.outcome()) {
            case DONE -> 0;
            case NOT_A_RUNNER_BOT -> 2;
            default -> 1;
        };
    }
}

package io.botvisor.runner.internal;

import io.botvisor.ipc.ChildSpec;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageWriter;
import io.botvisor.runner.Bot;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the operator's commands to a running bot — LOG_LEVEL, THREAD_DUMP, RELOAD_CONFIG — and answers each with
 * a {@link Message.CommandReply} carrying its id. A level and a dump are done on the runtime thread at once; a new
 * configuration goes to the bot's work thread ({@link Bot#reconfigure}), which answers when it is done, so that a
 * bot that takes long there does not hold up STOP. Thread-safe (the events writer is).
 */
final class OperatorCommands {
    private static final Logger log = LoggerFactory.getLogger(OperatorCommands.class);
    /** Room kept in a reply for the line that says where the rest of a cut dump is. */
    private static final int CUT_NOTE = 200;
    private final ChildSpec spec;
    private final Context ctx;
    private final Bot bot;
    private final MessageWriter events;
    private final PrintStream stdout;
    private final BooleanSupplier stopping;

    OperatorCommands(ChildSpec spec, Context ctx, Bot bot, MessageWriter events, PrintStream stdout,
                     BooleanSupplier stopping) {
        this.spec = spec;
        this.ctx = ctx;
        this.bot = bot;
        this.events = events;
        this.stdout = stdout;
        this.stopping = stopping;
    }

    void logLevel(Message.LogLevel m) {
        try {
            String done = LogLevels.set(m.logger(), m.level());
            log.info("bot '{}': {} by the operator", spec.botId(), done);
            reply(m.id(), Message.CommandReply.OK, done);
        } catch (IllegalArgumentException e) {
            reply(m.id(), Message.CommandReply.FAILED, e.getMessage());
        }
    }

    /**
     * Writes the dump to stdout (the bot's stdout.log) in one piece, between a first and a last line that name the
     * request, and answers with it, cut at a line to what a reply may carry with a note saying where the whole is.
     */
    void threadDump(Message.ThreadDump m) {
        String dump;
        try {
            dump = ThreadDumps.take(ManagementFactory.getThreadMXBean(), "Thread dump of bot '" + spec.botId()
                    + "' (pid " + ProcessHandle.current().pid() + ", request " + m.id() + ")");
        } catch (RuntimeException e) {
            reply(m.id(), Message.CommandReply.FAILED, "cannot take a thread dump: " + OneLine.of(e));
            return;
        }
        // One print: a PrintStream writes one string whole, so the bot's own lines cannot land inside the dump.
        stdout.print("=== botvisor: thread dump, request " + m.id() + " ===\n" + dump + "=== botvisor: end of thread dump,"
                + " request " + m.id() + " ===\n");
        stdout.flush();
        reply(m.id(), Message.CommandReply.OK, cut(dump));
    }

    static String cut(String dump) {
        if (dump.length() <= Message.MAX_REPLY) {
            return dump;
        }
        int end = dump.lastIndexOf('\n', Message.MAX_REPLY - CUT_NOTE) + 1;
        return dump.substring(0, end) + "… cut after " + end + " of " + dump.length()
                + " characters: the whole dump is in the bot's stdout.log\n";
    }

    void reloadConfig(Message.ReloadConfig m) {
        try {
            ctx.executor().execute(() -> reconfigure(m));
        } catch (RejectedExecutionException e) {
            reply(m.id(), Message.CommandReply.FAILED, "the bot's work thread is shut down");
        }
    }

    /** On the work thread. */
    private void reconfigure(Message.ReloadConfig m) {
        if (stopping.getAsBoolean()) {
            reply(m.id(), Message.CommandReply.FAILED, "the bot is stopping");
            return;
        }
        boolean applied;
        try {
            applied = bot.reconfigure(m.config());
        } catch (Exception | LinkageError e) {
            String why = OneLine.of(e);
            log.warn("bot '{}': the new configuration was not applied, reconfigure failed: {}", spec.botId(), why);
            reply(m.id(), Message.CommandReply.FAILED, why);
            return;
        }
        if (applied) {
            ctx.reconfigured(m.config());
            log.info("bot '{}': new configuration applied without a restart", spec.botId());
            reply(m.id(), Message.CommandReply.APPLIED, "applied");
        } else {
            log.info("bot '{}': the new configuration needs a restart", spec.botId());
            reply(m.id(), Message.CommandReply.NOT_APPLIED, "the bot cannot apply it without a restart");
        }
    }

    private void reply(long id, String outcome, String detail) {
        try {
            events.write(new Message.CommandReply(spec.gen(), id, outcome, detail, System.currentTimeMillis()));
        } catch (RuntimeException e) {
            log.warn("bot '{}' could not answer command {}: {}", spec.botId(), id, e.toString());
        }
    }
}

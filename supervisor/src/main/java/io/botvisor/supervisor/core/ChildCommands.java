package io.botvisor.supervisor.core;

import io.botvisor.ipc.Message;
import io.botvisor.ipc.Printable;
import io.botvisor.ipc.Units;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's commands to a running bot-runner child — a logger's level ({@link #logLevel}), a thread dump
 * ({@link #threadDump}), a changed {@code config:} ({@link #reconfigure}) — and their answers. A command goes to the
 * bot's current incarnation over its command queue; the child's COMMAND_REPLY with the command's id, from that bot and
 * incarnation, completes the command's future. One that is not answered within its timeout, or whose incarnation
 * stops running first, completes as {@link Outcome#NO_ANSWER}: nothing here waits, and every future completes.
 * <p>Loop thread only: call it there, and every future completes there (so a caller may act on the answer at once,
 * e.g. restart the bot). A future never completes exceptionally.
 */
public final class ChildCommands {
    private static final Logger log = LoggerFactory.getLogger(ChildCommands.class);
    /** How long a command waits for its answer unless told otherwise: a child answers in milliseconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** How a command ended. */
    public enum Outcome {
        /** Done: the level set, the dump taken, the new configuration applied. */
        DONE,
        /** The bot cannot apply the new configuration without a restart ({@code Bot.reconfigure} returned false). */
        NOT_APPLIED,
        /** The child tried and failed; the detail says why (an unknown level, the exception of a reconfigure). */
        FAILED,
        /** A {@code command:} bot: it has no bot-runner to take commands. Nothing was sent. */
        NOT_A_RUNNER_BOT,
        /** The bot is not RUNNING (the detail names its state). Nothing was sent. */
        NOT_RUNNING,
        /** No answer within the timeout, or the incarnation stopped running before it answered. */
        NO_ANSWER
    }

    /**
     * The answer. {@code detail} is safe to print (the child's text with every control character but the newline
     * escaped); it has several lines only for a thread dump. Immutable.
     */
    public record Answer(Outcome outcome, String detail) {
    }

    /** Writes a command to incarnation {@code gen} of {@code bot}; false when the shell knows no such process. */
    interface Sender {
        boolean send(String bot, long gen, Message command);
    }

    /** Builds the command for incarnation {@code gen} with id {@code id}, expiring at {@code expiresAt}. */
    private interface Command {
        Message make(long gen, long id, long expiresAtMillis, long nowMillis);
    }

    private record Pending(String bot, long gen, String what, CompletableFuture<Answer> future, Loop.Handle deadline) {
    }

    private final Map<String, Slot> slots;
    private final Loop loop;
    private final Clock wall;
    private final Sender sender;
    private final Map<Long, Pending> pending = new HashMap<>();
    private long nextId = 1;

    ChildCommands(Map<String, Slot> slots, Loop loop, Clock wall, Sender sender) {
        this.slots = slots;
        this.loop = loop;
        this.wall = wall;
        this.sender = sender;
    }

    /** Sets logger {@code logger} ({@code ROOT}: the root logger) of the bot's JVM to {@code level} now. */
    public CompletableFuture<Answer> logLevel(String bot, String logger, String level, Duration timeout) {
        return send(bot, "LOG_LEVEL", timeout, (gen, id, expires, now) ->
                new Message.LogLevel(gen, id, logger, level, expires, now));
    }

    /** Has the bot's JVM write a thread dump to its stdout.log; the answer's detail is the dump (cut at ~16 KB). */
    public CompletableFuture<Answer> threadDump(String bot, Duration timeout) {
        return send(bot, "THREAD_DUMP", timeout, (gen, id, expires, now) -> new Message.ThreadDump(gen, id, expires,
                now));
    }

    /**
     * Offers a running bot its new {@code config:} ({@code Specs.Bot#config()}: flattened to dotted keys, as the
     * child's spec carries it), with {@link #DEFAULT_TIMEOUT}. {@link Outcome#DONE}: the bot runs with it now (its
     * pid and generation unchanged); anything else: it still runs with the old one, and a restart is what applies it.
     */
    public CompletableFuture<Answer> reconfigure(String bot, Map<String, String> config) {
        return reconfigure(bot, config, DEFAULT_TIMEOUT);
    }

    public CompletableFuture<Answer> reconfigure(String bot, Map<String, String> config, Duration timeout) {
        Map<String, String> copy = Map.copyOf(config);
        return send(bot, "RELOAD_CONFIG", timeout, (gen, id, expires, now) ->
                new Message.ReloadConfig(gen, id, copy, expires, now));
    }

    private CompletableFuture<Answer> send(String bot, String what, Duration timeout, Command command) {
        Slot slot = slots.get(bot);
        if (slot == null) {
            throw new IllegalArgumentException("unknown bot '" + bot + "'");
        }
        if (slot.spec().isCommand()) {
            return CompletableFuture.completedFuture(new Answer(Outcome.NOT_A_RUNNER_BOT, "bot '" + bot
                    + "' is not a bot-runner bot (a command: bot takes no commands over IPC)"));
        }
        if (slot.state() != ChildState.RUNNING || slot.current() == null) {
            return CompletableFuture.completedFuture(notRunning(bot, slot));
        }
        long gen = slot.current().gen();
        long id = nextId++;
        long now = wall.millis();
        if (!sender.send(bot, gen, command.make(gen, id, now + timeout.toMillis(), now))) {
            return CompletableFuture.completedFuture(notRunning(bot, slot));
        }
        CompletableFuture<Answer> future = new CompletableFuture<>();
        Loop.Handle deadline = loop.at(timeout.toNanos(), 0, () -> complete(id, new Answer(Outcome.NO_ANSWER,
                "bot '" + bot + "' did not answer " + what + " within " + Units.format(timeout))));
        pending.put(id, new Pending(bot, gen, what, future, deadline));
        return future;
    }

    private static Answer notRunning(String bot, Slot slot) {
        return new Answer(Outcome.NOT_RUNNING, "bot '" + bot + "' is " + slot.state() + ", not RUNNING");
    }

    /** A child's COMMAND_REPLY (untrusted: it may name any id; only the bot's own pending command is completed). */
    void onReply(String bot, Message.CommandReply r) {
        Pending p = pending.get(r.id());
        if (p == null || !p.bot.equals(bot) || p.gen != r.gen()) {
            log.debug("bot '{}': ignored a reply to command {} (not waiting for it)", bot, r.id());
            return;
        }
        String detail = Printable.lines(r.detail(), 2 * Message.MAX_REPLY);
        Answer a = switch (r.outcome()) {
            case Message.CommandReply.OK, Message.CommandReply.APPLIED -> new Answer(Outcome.DONE, detail);
            case Message.CommandReply.NOT_APPLIED -> new Answer(Outcome.NOT_APPLIED, detail);
            case Message.CommandReply.FAILED -> new Answer(Outcome.FAILED, detail);
            default -> new Answer(Outcome.FAILED, "unknown outcome '" + r.outcome() + "': " + detail);
        };
        complete(r.id(), a);
    }

    /** After a decision changed some bot's state: commands whose incarnation no longer runs will not be answered. */
    void checkRunning() {
        if (pending.isEmpty()) {
            return;
        }
        List<Long> gone = new ArrayList<>();
        pending.forEach((id, p) -> {
            Slot s = slots.get(p.bot);
            if (s == null || !s.isCurrent(p.gen) || s.state() != ChildState.RUNNING) {
                gone.add(id);
            }
        });
        for (long id : gone) {
            Pending p = pending.get(id);
            if (p == null) {
                continue; // completed meanwhile by a caller's reaction to an earlier one
            }
            ChildState now = slots.containsKey(p.bot) ? slots.get(p.bot).state() : null;
            complete(id, new Answer(Outcome.NO_ANSWER, "bot '" + p.bot + "' stopped running before it answered "
                    + p.what + " (now " + now + ")"));
        }
    }

    private void complete(long id, Answer answer) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.deadline.cancel();
            p.future.complete(answer);
        }
    }
}

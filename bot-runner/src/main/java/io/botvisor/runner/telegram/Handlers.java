package io.botvisor.runner.telegram;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which handler gets which update. An update goes to the first that applies: its {@link #command} (by name), then
 * {@link #text} for a text message (also for a command nobody registered), then {@link #callback} for a callback
 * query, then {@link #on} for its kind; else it is marked handled with no effect (counted as
 * {@code telegram_updates_ignored}). Filled in once by {@link TelegramBot#handlers}, then only read: not thread-safe
 * before that, immutable after.
 *
 * <pre>{@code
 * protected void handlers(Handlers on) {
 *     on.command("start", turn -> turn.reply("Hi!"));
 *     on.text(turn -> turn.reply(turn.update().text().orElse("")));
 * }
 * }</pre>
 */
public final class Handlers {
    private final Map<String, Handler> commands = new HashMap<>();
    private final Map<String, Handler> kinds = new HashMap<>();
    private Handler text;
    private Handler callback;
    private boolean frozen;

    /** For a command, with or without its slash ({@code "start"} or {@code "/start"}), in any case. */
    public Handlers command(String name, Handler handler) {
        String n = name.startsWith("/") ? name.substring(1) : name;
        if (n.isEmpty() || n.contains(" ")) {
            throw new IllegalArgumentException("command \"" + name + "\" is not a command name (expected e.g. start)");
        }
        put(commands, n.toLowerCase(Locale.ROOT), handler);
        return this;
    }

    /** For text messages (and commands without a handler of their own). */
    public Handlers text(Handler handler) {
        check(handler);
        text = handler;
        return this;
    }

    /** For callback queries (a user pressed an inline button). */
    public Handlers callback(Handler handler) {
        check(handler);
        callback = handler;
        return this;
    }

    /** For updates of a kind ({@code edited_message}, {@code my_chat_member}, …); see {@link Update#kind()}. */
    public Handlers on(String kind, Handler handler) {
        put(kinds, kind, handler);
        return this;
    }

    /** The handler for an update, or null when none applies (the runtime's routing; see the class's rule). */
    public Handler route(Update update) {
        String command = update.command().orElse(null);
        if (command != null && commands.containsKey(command)) {
            return commands.get(command);
        }
        if (text != null && update.text().isPresent() && update.kind().equals("message")) {
            return text;
        }
        if (callback != null && update.kind().equals("callback_query")) {
            return callback;
        }
        return kinds.get(update.kind());
    }

    Handlers freeze() {
        frozen = true;
        return this;
    }

    private void put(Map<String, Handler> map, String key, Handler handler) {
        check(handler);
        if (map.putIfAbsent(key, handler) != null) {
            throw new IllegalArgumentException("a handler for \"" + key + "\" is already registered");
        }
    }

    private void check(Handler handler) {
        if (frozen) {
            throw new IllegalStateException("handlers are registered in TelegramBot.handlers only");
        }
        if (handler == null) {
            throw new IllegalArgumentException("handler is null");
        }
    }
}

package io.botvisor.ipc;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Every message that crosses a process boundary. Each carries the sender's wall-clock time in epoch milliseconds.
 * Messages between supervisor and child also carry {@code gen}, the generation (one spawn) of the child they belong
 * to, so that a reader can drop what an earlier incarnation wrote or was sent.
 *
 * <p>Wire form: {@link MessageCodec}. Adding a field is compatible; removing or retyping one needs a new
 * {@link MessageCodec#VERSION}.
 *
 * <p>A child's messages are untrusted input (bot code runs in it), so what a child writes is bounded: counter names
 * and event kinds match {@link #NAME}, a heartbeat has at most {@link #MAX_COUNTERS} counters (a message breaking
 * these is rejected by {@link MessageCodec#decode} and skipped by the reader), and details longer than
 * {@link #MAX_DETAIL} characters are cut there with {@link Printable#TRUNCATED}. A detail may still hold newlines
 * and escape sequences: log it through {@link Printable#oneLine(String)}.
 */
public sealed interface Message {
    /** Counter names and event kinds: restricted so that they travel and print without escaping. */
    Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** Most counters one heartbeat may carry. */
    int MAX_COUNTERS = 256;
    /** Most characters of an event's detail or a heartbeat's self-check detail; longer ones are truncated. */
    int MAX_DETAIL = 4096;
    /** Most arguments one control request may carry, and most characters of each. */
    int MAX_ARGS = 1000;
    int MAX_ARG_CHARS = 4096;
    /** How much of a rejected name or argument an error message shows. */
    int SHOWN_CHARS = 80;
    /**
     * Most characters of a {@link CommandReply}'s detail (a thread dump); longer ones are truncated. At most 3 bytes a
     * character in UTF-8, so the largest reply stays well under the reader's cap for what a bot writes (64 KiB).
     */
    int MAX_REPLY = 16_384;

    long timeMillis();

    /**
     * Child → supervisor: the bot has started and is serving (a handover's successor: warmed up and waiting).
     * {@code handsOver}: the bot can hand its work to a successor (a restart need not stop it first).
     */
    record Ready(long gen, long pid, long startupMillis, boolean handsOver, long timeMillis) implements Message {
        public Ready(long gen, long pid, long startupMillis, long timeMillis) {
            this(gen, pid, startupMillis, false, timeMillis);
        }
    }

    /**
     * Child → supervisor, every heartbeat interval, composed on the bot's own work thread so that a stuck work loop
     * stops the heartbeats even though the JVM lives.
     */
    record Heartbeat(long gen, long seq, long heapUsed, long heapMax, long gcTimeMillis, long gcCount, int threads,
                     long cpuTimeMillis, boolean selfCheckOk, String selfCheckDetail, Map<String, Long> counters,
                     long timeMillis) implements Message {
        /** A self-check detail over {@link #MAX_DETAIL} characters is cut, ending in {@link Printable#TRUNCATED}. */
        public Heartbeat {
            selfCheckDetail = Printable.truncate(selfCheckDetail, MAX_DETAIL);
            counters = Map.copyOf(counters);
        }
    }

    /**
     * Child → supervisor: something the operator should see in the bot's log (stopping, stopped, a failure). A detail
     * over {@link #MAX_DETAIL} characters is cut, ending in {@link Printable#TRUNCATED}.
     */
    record Event(long gen, String kind, String detail, long timeMillis) implements Message {
        public Event {
            detail = Printable.truncate(detail, MAX_DETAIL);
        }
    }

    /** Supervisor → child: stop the bot gracefully within {@code deadlineMillis} and exit 0. */
    record Stop(long gen, String reason, long deadlineMillis, long expiresAtMillis, long timeMillis)
            implements Message {
    }

    /**
     * Supervisor → child (the serving incarnation of a bot whose successor is READY): stop taking work from outside
     * (a Telegram bot: cut the waiting poll, record what it has, confirm it), answer with {@link HandedOver}, then
     * finish what is in flight within {@code deadlineMillis} and exit 0.
     */
    record Handover(long gen, long deadlineMillis, long expiresAtMillis, long timeMillis) implements Message {
    }

    /**
     * Child → supervisor: it stopped taking work; {@code offset} is where its successor starts (a Telegram bot: the
     * offset Telegram last accepted; 0 when it has none). The child then finishes what is in flight and exits.
     */
    record HandedOver(long gen, long offset, long timeMillis) implements Message {
    }

    /**
     * Supervisor → child (a successor started in standby): take work from outside, from {@code offset} (a Telegram
     * bot: poll from it); with {@code serve} also do the work (handle, send) — sent once its predecessor is gone.
     */
    record Takeover(long gen, long offset, boolean serve, long expiresAtMillis, long timeMillis) implements Message {
    }

    /** Supervisor → child: answer with a {@link Pong} carrying the same id. */
    record Ping(long gen, long id, long expiresAtMillis, long timeMillis) implements Message {
    }

    /**
     * Supervisor → child: the bot's pool may now hold at most {@code maxConnections} (its grant from the fleet's
     * connection budget). A raise is sent after the server's limit for the bot's role was raised; after a cut, the
     * supervisor lowers the role's limit once the child's heartbeat shows the pool within it.
     */
    record PoolGrant(long gen, int maxConnections, long timeMillis) implements Message {
    }

    /** Child → supervisor: answer to a {@link Ping}. */
    record Pong(long gen, long id, long timeMillis) implements Message {
    }

    /**
     * Supervisor → child: set the level of logger {@code logger} ({@code ROOT}: the root logger) to {@code level}
     * (TRACE, DEBUG, INFO, WARN, ERROR or OFF) now; answered by a {@link CommandReply} with the same {@code id}.
     */
    record LogLevel(long gen, long id, String logger, String level, long expiresAtMillis, long timeMillis)
            implements Message {
    }

    /**
     * Supervisor → child: write a thread dump of the JVM to stdout (the bot's stdout.log) and answer with it in a
     * {@link CommandReply} with the same {@code id}.
     */
    record ThreadDump(long gen, long id, long expiresAtMillis, long timeMillis) implements Message {
    }

    /**
     * Supervisor → child: the bot's new {@code config:}, flattened to dotted keys as in {@link ChildSpec}, to apply
     * without a restart if the bot can; answered by a {@link CommandReply} with the same {@code id}:
     * {@link CommandReply#APPLIED}, {@link CommandReply#NOT_APPLIED} or {@link CommandReply#FAILED}.
     */
    record ReloadConfig(long gen, long id, Map<String, String> config, long expiresAtMillis, long timeMillis)
            implements Message {
        public ReloadConfig {
            config = Map.copyOf(config);
        }
    }

    /**
     * Child → supervisor: the answer to the command {@code id} ({@link LogLevel}, {@link ThreadDump},
     * {@link ReloadConfig}). {@code outcome} is one of the constants here (checked as a {@link #NAME} on decode; an
     * outcome the supervisor does not know counts as failed); {@code detail} (an error, a thread dump) is cut at
     * {@link #MAX_REPLY} characters, ending in {@link Printable#TRUNCATED}, and may hold newlines and escape
     * sequences: print it through {@link Printable#lines}.
     */
    record CommandReply(long gen, long id, String outcome, String detail, long timeMillis) implements Message {
        /** Done: the level is set, the dump taken. */
        public static final String OK = "ok";
        /** The bot applied the new configuration. */
        public static final String APPLIED = "applied";
        /** The bot cannot apply the new configuration without a restart. */
        public static final String NOT_APPLIED = "not-applied";
        /** The command failed; the detail says why. */
        public static final String FAILED = "failed";

        public CommandReply {
            detail = Printable.truncate(detail, MAX_REPLY);
        }
    }

    /** CLI → supervisor: a control command; the reply carries the same {@code id}. */
    record ControlRequest(String id, String command, List<String> args, long expiresAtMillis, long timeMillis)
            implements Message {
        public ControlRequest {
            args = List.copyOf(args);
        }
    }

    /** Supervisor → CLI: the outcome of a control command; {@code exitCode} is what the CLI exits with. */
    record ControlReply(String id, int exitCode, String output, long timeMillis) implements Message {
    }

    /** Why {@code name} is no valid counter name or event kind, or null when it is one. */
    static String nameProblem(String what, String name) {
        if (isName(name)) {
            return null;
        }
        return what + " \"" + Printable.oneLine(name, SHOWN_CHARS) + "\" is not valid (expected " + NAME.pattern() + ")";
    }

    /**
     * {@link #NAME} without the regex engine: the supervisor checks every counter of every heartbeat (200 bots × ~10
     * counters a second), and the matcher was the largest share of its decoding time (BENCHMARKS.md, issue 9).
     */
    static boolean isName(String name) {
        if (name == null || name.isEmpty() || name.length() > 64) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
                    || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Counters travel as {@code name=value,name=value}; names are restricted so no escaping is needed. */
    static String encodeCounters(Map<String, Long> counters) {
        if (counters.size() > MAX_COUNTERS) {
            throw new IllegalArgumentException(counters.size() + " counters are too many (expected at most "
                    + MAX_COUNTERS + ")");
        }
        StringBuilder sb = new StringBuilder();
        counters.forEach((k, v) -> {
            String problem = nameProblem("counter name", k);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(k).append('=').append(v);
        });
        return sb.toString();
    }

    /** The sender's checks again: the sender is a child, and bot code could have written anything there. */
    static Map<String, Long> decodeCounters(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return out;
        }
        // The longest valid form: MAX_COUNTERS of a 64-character name, '=', a 20-character long and ','.
        if (text.length() > MAX_COUNTERS * 86) {
            throw new MalformedMessageException("counters are " + text.length() + " characters long (expected at most "
                    + MAX_COUNTERS + " counters)");
        }
        String[] pairs = text.split(",", -1);
        if (pairs.length > MAX_COUNTERS) {
            throw new MalformedMessageException(pairs.length + " counters are too many (expected at most "
                    + MAX_COUNTERS + ")");
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new MalformedMessageException("counter \"" + Printable.oneLine(pair, SHOWN_CHARS)
                        + "\" is not name=value");
            }
            String name = pair.substring(0, eq);
            String problem = nameProblem("counter name", name);
            if (problem != null) {
                throw new MalformedMessageException(problem);
            }
            long value;
            try {
                value = Long.parseLong(pair.substring(eq + 1));
            } catch (NumberFormatException e) {
                throw new MalformedMessageException("counter \"" + Printable.oneLine(pair, SHOWN_CHARS)
                        + "\" has a non-integer value");
            }
            if (out.put(name, value) != null) {
                throw new MalformedMessageException("counter \"" + name + "\" appears twice");
            }
        }
        return out;
    }

    /**
     * A configuration travels as the text of a properties file (any key or value, escaped by {@link Properties});
     * only the supervisor writes one.
     */
    static String encodeConfig(Map<String, String> config) {
        Properties p = new Properties();
        p.putAll(config);
        StringWriter w = new StringWriter();
        try {
            p.store(w, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    static Map<String, String> decodeConfig(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new MalformedMessageException("config is not in the properties format: " + e.getMessage());
        }
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    /** Arguments travel newline-separated; control arguments (bot ids, flags) never contain a newline. */
    static String encodeArgs(List<String> args) {
        if (args.size() > MAX_ARGS) {
            throw new IllegalArgumentException(args.size() + " arguments are too many (expected at most " + MAX_ARGS + ")");
        }
        for (String a : args) {
            if (a.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("argument \"" + Printable.oneLine(a, SHOWN_CHARS)
                        + "\" contains a newline");
            }
            if (a.length() > MAX_ARG_CHARS) {
                throw new IllegalArgumentException("argument \"" + Printable.oneLine(a, SHOWN_CHARS) + "\" is "
                        + a.length() + " characters long (expected at most " + MAX_ARG_CHARS + ")");
            }
        }
        return String.join("\n", args);
    }

    static List<String> decodeArgs(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        if (text.length() > MAX_ARGS * (MAX_ARG_CHARS + 1)) {
            throw new MalformedMessageException("arguments are " + text.length() + " characters long (expected at most "
                    + MAX_ARGS + " of " + MAX_ARG_CHARS + " characters)");
        }
        String[] args = text.split("\n", -1);
        if (args.length > MAX_ARGS) {
            throw new MalformedMessageException(args.length + " arguments are too many (expected at most "
                    + MAX_ARGS + ")");
        }
        for (String a : args) {
            if (a.length() > MAX_ARG_CHARS) {
                throw new MalformedMessageException("argument \"" + Printable.oneLine(a, SHOWN_CHARS) + "\" is "
                        + a.length() + " characters long (expected at most " + MAX_ARG_CHARS + ")");
            }
        }
        return new ArrayList<>(Arrays.asList(args));
    }
}

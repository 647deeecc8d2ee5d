package io.botvisor.ipc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every message that crosses a process boundary. Each carries the sender's wall-clock time in epoch milliseconds.
 * Messages between supervisor and child also carry {@code gen}, the generation (one spawn) of the child they belong
 * to, so that a reader can drop what an earlier incarnation wrote or was sent.
 *
 * <p>Wire form: {@link MessageCodec}. Adding a field is compatible; removing or retyping one needs a new
 * {@link MessageCodec#VERSION}.
 */
public sealed interface Message {

    long timeMillis();

    /** Child → supervisor: the bot has started and is serving. */
    record Ready(long gen, long pid, long startupMillis, long timeMillis) implements Message {
    }

    /**
     * Child → supervisor, every heartbeat interval, composed on the bot's own work thread so that a stuck work loop
     * stops the heartbeats even though the JVM lives.
     */
    record Heartbeat(long gen, long seq, long heapUsed, long heapMax, long gcTimeMillis, long gcCount, int threads,
                     long cpuTimeMillis, boolean selfCheckOk, String selfCheckDetail, Map<String, Long> counters,
                     long timeMillis) implements Message {
        public Heartbeat {
            counters = Map.copyOf(counters);
        }
    }

    /** Child → supervisor: something the operator should see in the bot's log (stopping, stopped, a failure). */
    record Event(long gen, String kind, String detail, long timeMillis) implements Message {
    }

    /** Supervisor → child: stop the bot gracefully within {@code deadlineMillis} and exit 0. */
    record Stop(long gen, String reason, long deadlineMillis, long expiresAtMillis, long timeMillis)
            implements Message {
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

    /** Counters travel as {@code name=value,name=value}; names are restricted so no escaping is needed. */
    static String encodeCounters(Map<String, Long> counters) {
        StringBuilder sb = new StringBuilder();
        counters.forEach((k, v) -> {
            if (!k.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("counter name \"" + k + "\" must match [A-Za-z0-9_.-]{1,64}");
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(k).append('=').append(v);
        });
        return sb.toString();
    }

    static Map<String, Long> decodeCounters(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return out;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new MalformedMessageException("counter \"" + pair + "\" is not name=value");
            }
            try {
                out.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
            } catch (NumberFormatException e) {
                throw new MalformedMessageException("counter \"" + pair + "\" has a non-integer value");
            }
        }
        return out;
    }

    /** Arguments travel newline-separated; control arguments (bot ids, flags) never contain a newline. */
    static String encodeArgs(List<String> args) {
        for (String a : args) {
            if (a.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("argument \"" + a + "\" contains a newline");
            }
        }
        return String.join("\n", args);
    }

    static List<String> decodeArgs(String text) {
        return text.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    }
}

package io.botvisor.ipc;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The bot types bot-runner has built in and, for each, the {@code config:} keys it reads and the form of their values.
 * The supervisor checks a fleet file's {@code type:} and {@code config:} against this without linking bot-runner;
 * bot-runner's tests hold its loader and its bots to the same list, so the two cannot drift apart. Immutable and
 * thread-safe.
 */
public final class BuiltInBots {
    /** The form of a config value. */
    public enum Kind {
        DURATION, INTEGER, SIZE, BOOLEAN, BOT_ID
    }

    /** What a bot id is: the fleet file's rule for {@code id:} (ipc's own copy: it links no sibling module). */
    private static final Pattern BOT_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

    /**
     * One config key. {@code min} and {@code max} bound an {@link Kind#INTEGER} or a {@link Kind#SIZE} (in bytes);
     * a duration is 0 or more. A {@code required} key must be given; the others are optional.
     */
    public record Key(String name, Kind kind, long min, long max, boolean required) {
        Key(String name, Kind kind, long min, long max) {
            this(name, kind, min, max, false);
        }

        static Key requiredBotId(String name) {
            return new Key(name, Kind.BOT_ID, 0, 0, true);
        }

        static Key duration(String name) {
            return new Key(name, Kind.DURATION, 0, 0);
        }

        static Key bool(String name) {
            return new Key(name, Kind.BOOLEAN, 0, 0);
        }

        /**
         * Why {@code value} is not a value of this key, as the rest of a sentence that starts with the key and the
         * value ({@code is not a duration (expected e.g. 20s)}), or null when it is one.
         */
        public String problem(String value) {
            return switch (kind) {
                case DURATION -> durationProblem(value);
                case INTEGER -> integerProblem(value);
                case SIZE -> sizeProblem(value);
                case BOOLEAN -> value.equals("true") || value.equals("false") ? null : "is not true or false";
                case BOT_ID -> BOT_ID.matcher(value).matches() ? null
                        : "is not a bot id (expected [a-z0-9][a-z0-9-]{0,39}, e.g. shop-1)";
            };
        }

        private String durationProblem(String value) {
            String problem = Units.durationProblem(value);
            if (problem != null) {
                return problem;
            }
            return Units.duration(value).isNegative() ? "is negative (expected a duration of 0 or more, e.g. 20s)"
                    : null;
        }

        private String integerProblem(String value) {
            long n;
            try {
                n = Long.parseLong(value);
            } catch (NumberFormatException e) {
                n = Long.MIN_VALUE;
            }
            return n < min || n > max ? "is not valid (expected a whole number from " + min + " to " + max + ")" : null;
        }

        private String sizeProblem(String value) {
            String problem = Units.sizeProblem(value);
            if (problem != null) {
                return problem;
            }
            long n = Units.bytes(value);
            return n < min || n > max ? "is out of range (expected from " + size(min) + " to " + size(max) + ")" : null;
        }
    }

    private static String size(long bytes) {
        if (bytes % (1L << 30) == 0 && bytes > 0) {
            return (bytes >> 30) + "g";
        }
        return bytes % (1L << 20) == 0 && bytes > 0 ? (bytes >> 20) + "m" : (bytes >> 10) + "k";
    }

    /** The drill bot, {@code io.botvisor.runner.drill.ChaosBot}. */
    public static final String CHAOS = "chaos";

    /**
     * The hostile drill bot, {@code io.botvisor.runner.drill.AttackBot}: attacks another bot's files, queues,
     * database rows and processes from inside its own child, and reports each attempt as blocked or escaped.
     */
    public static final String ATTACK = "attack";

    /** The example Telegram bot that replies with the text it got, {@code io.botvisor.runner.telegram.EchoBot}. */
    public static final String ECHO = "echo";

    /**
     * The example Telegram bot that answers in the voice of a persona the user picks from the bot's profiles,
     * {@code io.botvisor.runner.telegram.PersonaBot}.
     */
    public static final String PERSONA = "persona";

    /** The environment variable a Telegram bot's token comes in (from its {@code secretsFile:} or {@code env:}). */
    public static final String TOKEN_ENV = "TELEGRAM_BOT_TOKEN";

    /** The built-in types that talk to the Telegram Bot API and so need {@link #TOKEN_ENV}. */
    public static final Set<String> TELEGRAM = Set.of(ECHO, PERSONA);

    private static final Map<String, Map<String, Key>> TYPES = Map.of(ECHO, keys(), PERSONA, keys(Key.bool("seedProfiles")), ATTACK, keys(
            Key.requiredBotId("peer"),
            // Bounded on purpose: the drill measures the per-uid process limit, it must never become a real bomb.
            new Key("forkBomb", Kind.INTEGER, 0, 1024)), CHAOS, keys(
            Key.duration("crashAfter"),
            new Key("exitCode", Kind.INTEGER, 0, 255), // an exit status is one byte
            Key.duration("hangAfter"),
            // One tick's share (a tenth) is one array: 1g a second keeps it well inside an int.
            new Key("leakPerSecond", Kind.SIZE, 0, 1L << 30),
            Key.duration("startupDelay"),
            Key.duration("unhealthyAfter"),
            Key.bool("ignoreStop"),
            Key.bool("grandchild"),
            Key.duration("dbWriteEvery"),
            new Key("dbWriters", Kind.INTEGER, 1, 64), // the bot's own limit
            Key.duration("dbHold"),
            Key.duration("dbWriteFor"),
            Key.duration("logEvery")));

    private BuiltInBots() {
    }

    /** The built-in type names ({@code type: chaos}, {@code type: attack}). */
    public static Set<String> names() {
        return TYPES.keySet();
    }

    /** The config keys of a built-in type, by name; empty when {@code type} is not built in. */
    public static Optional<Map<String, Key>> configKeys(String type) {
        return Optional.ofNullable(TYPES.get(type));
    }

    private static Map<String, Key> keys(Key... keys) {
        Map<String, Key> out = new TreeMap<>();
        for (Key k : keys) {
            out.put(k.name(), k);
        }
        return Collections.unmodifiableMap(out);
    }
}

package io.botvisor.supervisor.config;

import io.botvisor.ipc.BuiltInBots;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks a bot-runner bot's {@code type:} (a built-in name, or a class name that bot-runner looks up on the bot's
 * classpath) and, for a built-in type, its {@code config:} keys and values ({@link BuiltInBots}). A class name is only
 * checked for its form: whether the class exists is known only with the bot's classpath, in the child. Stateless.
 */
final class BotTypes {
    /** Names further than this many edits from every candidate get no "did you mean". */
    private static final int MAX_SUGGESTION_EDITS = 2;

    private BotTypes() {
    }

    static void checkType(String file, String subject, String type, Problems problems) {
        if (BuiltInBots.names().contains(type) || (type.contains(".") && isClassName(type))) {
            return;
        }
        String builtIns = String.join(", ", new TreeSet<>(BuiltInBots.names()));
        problems.add(file + ": " + subject + ": type \"" + type + "\" is not a built-in bot type (expected one of: "
                + builtIns + "; or a class name such as com.example.ShopBot)" + didYouMean(type, BuiltInBots.names()));
    }

    static void checkClass(String file, String subject, String clazz, Problems problems) {
        if (!isClassName(clazz)) {
            problems.add(file + ": " + subject + ": class \"" + clazz + "\" is not a Java class name (expected e.g. "
                    + "com.example.ShopBot)");
        }
    }

    /** The config of a built-in type: every key known, every value of its key's form, every required key given. */
    static void checkConfig(String file, String subject, String type, Map<String, String> config, Problems problems) {
        Map<String, BuiltInBots.Key> keys = BuiltInBots.configKeys(type).orElse(null);
        if (keys == null) {
            return;
        }
        for (BuiltInBots.Key key : keys.values()) {
            if (key.required() && !config.containsKey(key.name())) {
                problems.add(file + ": " + subject + ": config." + key.name() + " is missing (type " + type
                        + " requires it: " + expected(key) + ")");
            }
        }
        for (Map.Entry<String, String> e : config.entrySet()) {
            BuiltInBots.Key key = keys.get(e.getKey());
            if (key == null) {
                problems.add(file + ": " + subject + ": unknown config key '" + e.getKey() + "' for type " + type
                        + " (expected some of: " + String.join(", ", keys.keySet()) + ")"
                        + didYouMean(e.getKey(), keys.keySet()));
                continue;
            }
            String problem = key.problem(e.getValue());
            if (problem != null) {
                problems.add(file + ": " + subject + ": config." + e.getKey() + " \"" + e.getValue() + "\" "
                        + problem);
            }
        }
    }

    /** A Bot API token: the bot's numeric id, a colon, the secret. */
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[0-9]{1,20}:[A-Za-z0-9_-]{1,100}");

    /**
     * A built-in Telegram bot has its token in its environment, in the Bot API's form. The token's value never
     * appears in a message: only where it should come from.
     */
    static void checkToken(String file, String subject, String type, Map<String, String> env, Problems problems) {
        if (!BuiltInBots.TELEGRAM.contains(type)) {
            return;
        }
        String token = env.get(BuiltInBots.TOKEN_ENV);
        if (token == null) {
            problems.add(file + ": " + subject + ": " + BuiltInBots.TOKEN_ENV + " is not set (type " + type
                    + " talks to Telegram: put TELEGRAM_BOT_TOKEN=<token from @BotFather> in the bot's secretsFile:, "
                    + "or any 123:abc for the sandbox)");
        } else if (!TOKEN.matcher(token).matches()) {
            problems.add(file + ": " + subject + ": " + BuiltInBots.TOKEN_ENV + " is not a Bot API token (expected "
                    + "<digits>:<letters, digits, _ or ->, as @BotFather gives it; the value is not shown)");
        }
    }

    /** What a value of {@code key} looks like, for a missing key's message. */
    private static String expected(BuiltInBots.Key key) {
        return switch (key.kind()) {
            case BOT_ID -> "a bot id, e.g. shop-1";
            case DURATION -> "a duration, e.g. 20s";
            case INTEGER -> "a whole number from " + key.min() + " to " + key.max();
            case SIZE -> "a size, e.g. 64m";
            case BOOLEAN -> "true or false";
        };
    }

    /** Java identifiers separated by dots: {@code com.example.ShopBot}, {@code Outer$Inner}. */
    static boolean isClassName(String name) {
        for (String part : name.split("\\.", -1)) {
            if (part.isEmpty() || !Character.isJavaIdentifierStart(part.codePointAt(0))
                    || !part.codePoints().allMatch(Character::isJavaIdentifierPart)) {
                return false;
            }
        }
        return true;
    }

    /** {@code ; did you mean 'chaos'?} for the closest candidate within a couple of edits, else nothing. */
    static String didYouMean(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = MAX_SUGGESTION_EDITS + 1;
        for (String c : new TreeSet<>(candidates)) {
            int d = distance(name.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance && d < c.length()) {
                best = c;
                bestDistance = d;
            }
        }
        return best == null ? "" : "; did you mean '" + best + "'?";
    }

    /** Edits between two strings, a swap of neighbours counting one (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

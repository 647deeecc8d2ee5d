package io.botvisor.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.botvisor.ipc.Units;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one bot's effective settings: a field comes from the bot if it sets it, else from the file's
 * {@code defaults:}, else from the built-in defaults. A bad value is reported against where it was written
 * ({@code bot 'x'} or {@code defaults}) and the getter returns null. Not thread-safe; one per bot.
 */
final class Lookup {
    private final String file;
    private final String botSubject;
    private final JsonNode bot;
    private final JsonNode defaults;
    private final JsonNode builtIn;
    private final Problems problems;

    Lookup(String file, String botSubject, JsonNode bot, JsonNode defaults, JsonNode builtIn, Problems problems) {
        this.file = file;
        this.botSubject = botSubject;
        this.bot = bot;
        this.defaults = defaults;
        this.builtIn = builtIn;
        this.problems = problems;
    }

    private record Found(JsonNode node, String subject) {
    }

    private Found find(String path) {
        String pointer = "/" + path.replace('.', '/');
        if (!bot.at(pointer).isMissingNode()) {
            return new Found(bot.at(pointer), botSubject);
        }
        if (!defaults.at(pointer).isMissingNode()) {
            return new Found(defaults.at(pointer), "defaults");
        }
        return new Found(builtIn.at(pointer), "built-in defaults");
    }

    void problem(String subject, String path, JsonNode value, String what) {
        problems.add(file + ": " + subject + ": " + path + " " + show(value) + " " + what);
    }

    static String show(JsonNode v) {
        return v.isTextual() ? "\"" + v.asText() + "\"" : v.toString();
    }

    /** A duration; {@code positive} rejects zero (timeouts and intervals), negative is always rejected. */
    Duration duration(String path, boolean positive) {
        Found f = find(path);
        if (f.node.isMissingNode() || f.node.isNull()) {
            return null;
        }
        if (!f.node.isTextual()) {
            problem(f.subject, path, f.node, "is not a duration (expected a number with a unit, e.g. 500ms, 10s, 5m)");
            return null;
        }
        String problem = Units.durationProblem(f.node.asText());
        if (problem != null) {
            problem(f.subject, path, f.node, problem);
            return null;
        }
        Duration d = Units.duration(f.node.asText());
        if (d.isNegative()) {
            problem(f.subject, path, f.node, "is negative (expected a duration of 0 or more, e.g. 500ms)");
            return null;
        }
        if (positive && d.isZero()) {
            problem(f.subject, path, f.node, "is zero (expected a positive duration, e.g. 1s)");
            return null;
        }
        return d;
    }

    /** A size in bytes; zero, negative and sizes that do not fit in a long are rejected. */
    Long size(String path) {
        return size(path, 1, null);
    }

    /**
     * A size in bytes of at least {@code min}; {@code minText} says that minimum and why, for the message
     * ({@code 16m: a JVM ...}).
     */
    Long size(String path, long min, String minText) {
        Found f = find(path);
        if (f.node.isMissingNode() || f.node.isNull()) {
            return null;
        }
        String problem = Units.sizeProblem(f.node.asText());
        if (problem != null) {
            problem(f.subject, path, f.node, problem);
            return null;
        }
        long bytes = Units.bytes(f.node.asText());
        if (bytes <= 0 || !f.node.isTextual()) {
            problem(f.subject, path, f.node, "is not a positive size (expected e.g. 64m)");
            return null;
        }
        if (bytes < min) {
            problem(f.subject, path, f.node, "is below the minimum of " + minText);
            return null;
        }
        return bytes;
    }

    Double number(String path, double min, double maxExclusive, String expected) {
        Found f = find(path);
        if (f.node.isMissingNode()) {
            return null;
        }
        if (!f.node.isNumber() || f.node.asDouble() < min || f.node.asDouble() >= maxExclusive) {
            problem(f.subject, path, f.node, "is out of range (expected " + expected + ")");
            return null;
        }
        return f.node.asDouble();
    }

    Integer integer(String path, int min, int max) {
        Found f = find(path);
        if (f.node.isMissingNode()) {
            return null;
        }
        // canConvertToInt first: asLong() and asInt() wrap a number too large for them (4294967297 → 1).
        if (!f.node.isIntegralNumber() || !f.node.canConvertToInt() || f.node.asInt() < min || f.node.asInt() > max) {
            problem(f.subject, path, f.node, "is not valid (expected a whole number from " + min + " to " + max + ")");
            return null;
        }
        return f.node.asInt();
    }

    /** true or false (YAML booleans only: a quoted "false" is a string, and refused rather than guessed). */
    Boolean bool(String path, String example) {
        Found f = find(path);
        if (f.node.isMissingNode()) {
            return null;
        }
        if (!f.node.isBoolean()) {
            problem(f.subject, path, f.node, "is not true or false (expected e.g. " + example + ")");
            return null;
        }
        return f.node.asBoolean();
    }

    RestartPolicy policy(String path) {
        Found f = find(path);
        for (RestartPolicy p : RestartPolicy.values()) {
            if (p.yamlName().equals(f.node.asText()) && f.node.isTextual()) {
                return p;
            }
        }
        problem(f.subject, path, f.node, "is not a restart policy (expected always, on-failure or never)");
        return null;
    }

    List<String> strings(String path) {
        Found f = find(path);
        List<String> out = new ArrayList<>();
        if (f.node.isMissingNode() || f.node.isNull()) {
            return out;
        }
        if (!f.node.isArray()) {
            problem(f.subject, path, f.node, "is not a list (expected e.g. [\"-XX:+UseSerialGC\"])");
            return null;
        }
        for (JsonNode e : f.node) {
            if (!e.isValueNode() || e.isNull()) {
                problem(f.subject, path, e, "is not a string (expected a list of strings)");
                return null;
            }
            out.add(e.asText());
        }
        return out;
    }

    /** Where a path's value comes from, for cross-field messages. */
    String subjectOf(String path) {
        return find(path).subject;
    }

    JsonNode raw(String path) {
        return find(path).node;
    }
}

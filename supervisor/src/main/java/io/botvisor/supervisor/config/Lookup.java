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
        Duration d;
        try {
            d = Units.duration(f.node.asText());
        } catch (IllegalArgumentException e) {
            problem(f.subject, path, f.node, "is not a duration (expected e.g. 500ms, 10s, 5m, 1h, 30d)");
            return null;
        }
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

    /** A size in bytes; zero and negative are rejected. */
    Long size(String path) {
        Found f = find(path);
        if (f.node.isMissingNode() || f.node.isNull()) {
            return null;
        }
        long bytes;
        try {
            bytes = Units.bytes(f.node.asText());
        } catch (IllegalArgumentException e) {
            problem(f.subject, path, f.node, "is not a size (expected e.g. 64m, 512k, 1g)");
            return null;
        }
        if (bytes <= 0 || !f.node.isTextual()) {
            problem(f.subject, path, f.node, "is not a positive size (expected e.g. 64m)");
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
        if (!f.node.isIntegralNumber() || f.node.asLong() < min || f.node.asLong() > max) {
            problem(f.subject, path, f.node, "is not valid (expected a whole number from " + min + " to " + max + ")");
            return null;
        }
        return f.node.asInt();
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

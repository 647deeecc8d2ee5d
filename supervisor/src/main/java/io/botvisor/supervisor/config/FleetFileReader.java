package io.botvisor.supervisor.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads and validates a fleet file. Every problem is collected before anything is reported, so the operator fixes the
 * file in one pass; nothing is repaired silently. Stateless and thread-safe.
 */
public final class FleetFileReader {
    static final Pattern BOT_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
    /** More JVMs starting at once than this only thrash the machine (each start is ~0.2–0.4 s of a core). */
    static final int MAX_START_CONCURRENCY = 1000;
    /**
     * The smallest {@code jvm.heap}. The JVM itself refuses a heap below 2 MB ({@code -Xmx1k} does not even start);
     * 16 MB is a floor with room for bot-runner's own objects, so a typo ({@code heap: 64k}) fails here, not as a
     * crash loop of OutOfMemoryErrors.
     */
    static final long MIN_HEAP = 16L << 20;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final JsonNode BUILT_IN;

    static {
        try {
            BUILT_IN = YAML.readTree(Schema.BUILT_IN_DEFAULTS);
        } catch (JsonProcessingException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private FleetFileReader() {
    }

    /** Reads a fleet file; no environment variables apply (tests). */
    public static Specs.Fleet read(Path file) {
        return read(file, Map.of());
    }

    /** Reads a fleet file; {@code env} may name an external database (see {@code DatabaseSection}). */
    public static Specs.Fleet read(Path file, Map<String, String> env) {
        String name = file.toString();
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new InvalidFleetFileException(List.of(name + ": not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")")));
        } catch (IOException e) {
            throw new InvalidFleetFileException(List.of(name + ": cannot read the file: " + e));
        }
        Problems problems = new Problems();
        if (root == null || !root.isObject()) {
            throw new InvalidFleetFileException(List.of(name + ": expected a mapping with 'bots:' at the top"));
        }
        checkKeys(name, "top level", "", root, Schema.TOP, problems);
        JsonNode defaults = root.path("defaults");
        if (!defaults.isMissingNode() && !defaults.isObject()) {
            problems.add(name + ": defaults: expected a mapping, got " + Lookup.show(defaults));
            defaults = MissingNode.getInstance();
        }
        int concurrency = startConcurrency(name, root.path("supervisor").path("startConcurrency"), problems);
        Specs.Isolation isolation = IsolationSection.read(name, root.path("supervisor"), problems);
        Specs.Metrics metrics = MetricsSection.read(name, root.path("supervisor"), problems);
        Specs.Database database = DatabaseSection.read(name, root.path("database"), env, problems);
        List<Specs.Bot> bots = new ArrayList<>();
        JsonNode botsNode = root.path("bots");
        if (!botsNode.isArray() || botsNode.isEmpty()) {
            problems.add(name + ": bots: expected a non-empty list of bots, got " + Lookup.show(botsNode));
        } else {
            Map<String, Integer> firstIndex = new HashMap<>();
            for (int i = 0; i < botsNode.size(); i++) {
                Specs.Bot b = readBot(file, i, botsNode.get(i), defaults, firstIndex, problems);
                if (b != null) {
                    bots.add(b);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidFleetFileException(problems.list());
        }
        return new Specs.Fleet(file, concurrency, isolation, bots, database, metrics);
    }

    private static int startConcurrency(String file, JsonNode n, Problems problems) {
        if (n.isMissingNode()) {
            return Runtime.getRuntime().availableProcessors();
        }
        // canConvertToInt first: asInt() wraps a number too large for it (4294967297 → 1).
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1 || n.asInt() > MAX_START_CONCURRENCY) {
            problems.add(file + ": supervisor: startConcurrency " + Lookup.show(n)
                    + " is not valid (expected a whole number from 1 to " + MAX_START_CONCURRENCY
                    + "; default: the number of cores)");
            return 1;
        }
        return n.asInt();
    }

    private static Specs.Bot readBot(Path file, int index, JsonNode node, JsonNode defaults,
                                     Map<String, Integer> firstIndex, Problems problems) {
        String name = file.toString();
        String where = "bots[" + index + "]";
        if (!node.isObject()) {
            problems.add(name + ": " + where + ": expected a mapping with an id, got " + Lookup.show(node));
            return null;
        }
        JsonNode idNode = node.path("id");
        String id = idNode.isTextual() ? idNode.asText() : null;
        if (id == null || !BOT_ID.matcher(id).matches()) {
            problems.add(name + ": " + where + ": id " + Lookup.show(idNode)
                    + " is not valid (expected [a-z0-9][a-z0-9-]{0,39}, e.g. shop-1)");
        } else if (firstIndex.putIfAbsent(id, index) != null) {
            problems.add(name + ": " + where + ": id \"" + id + "\" is a duplicate (first used by bots["
                    + firstIndex.get(id) + "])");
        }
        String subject = id == null ? where : "bot '" + id + "'";
        checkKeys(name, subject, "", node, Schema.BOT, problems);
        Lookup f = new Lookup(name, subject, node, defaults, BUILT_IN, problems);

        String type = text(node, "type");
        String clazz = text(node, "class");
        boolean hasCommand = node.has("command");
        List<String> command = hasCommand ? relativeToFile(file, f.strings("command")) : List.of();
        if (hasCommand && clazz != null) {
            problems.add(name + ": " + subject + ": command and class are both set (expected either a command: "
                    + "for any executable, or a class: run by bot-runner)");
        } else if (hasCommand && type != null) {
            problems.add(name + ": " + subject + ": command and type are both set (expected one of them)");
        } else if (type != null && clazz != null) {
            problems.add(name + ": " + subject + ": type and class are both set (expected one of them)");
        } else if (!hasCommand && type == null && clazz == null) {
            problems.add(name + ": " + subject + ": none of type, class or command is set (expected one of them)");
        }
        if (hasCommand && command != null && command.isEmpty()) {
            problems.add(name + ": " + subject + ": command [] is empty (expected e.g. [\"/usr/bin/my-bot\", \"--flag\"])");
        }
        if (node.has("classpath") && clazz == null) {
            problems.add(name + ": " + subject + ": classpath is set without class (expected class: with it)");
        }
        if (hasCommand && node.has("jvm")) {
            problems.add(name + ": " + subject + ": jvm is set on a command: bot (expected it only on type: or class: bots)");
        }
        List<String> classpath = node.has("classpath") ? f.strings("classpath") : List.of();
        if (type != null) {
            BotTypes.checkType(name, subject, type, problems);
        }
        if (clazz != null) {
            BotTypes.checkClass(name, subject, clazz, problems);
        }

        Specs.Restart restart = restart(f);
        Specs.Health health = health(f, name, subject);
        Duration stopTimeout = f.duration("stopTimeout", true);
        Long heap = f.size("jvm.heap", MIN_HEAP, "16m (expected e.g. 64m; the JVM itself refuses less than 2m)");
        List<String> jvmOptions = f.strings("jvm.options");
        Long memoryLimit = f.raw("memoryLimit").isMissingNode() ? Long.valueOf(0) : f.size("memoryLimit");
        if (!hasCommand && heap != null && memoryLimit != null && memoryLimit > 0 && memoryLimit <= heap) {
            problems.add(name + ": " + subject + ": memoryLimit " + Lookup.show(f.raw("memoryLimit"))
                    + " is not above jvm.heap " + Lookup.show(f.raw("jvm.heap")) + " (expected more than the heap: "
                    + "a JVM uses memory besides its heap, e.g. heap 64m with memoryLimit 256m)");
            memoryLimit = null;
        }
        Long logSize = f.size("logs.maxFileSize");
        Integer logFiles = f.integer("logs.maxFiles", 1, 1000);
        Boolean logStamps = f.bool("logs.timestamps", "false, for a bot that stamps its own lines");
        // A JVM has ~20 threads before the bot starts one, and each counts against the process limit.
        Integer processes = f.integer("limits.processes", 64, 1_000_000);
        Integer openFiles = f.integer("limits.openFiles", 64, 1_048_576);
        Specs.Telegram telegram = hasCommand ? null : TelegramSection.read(f);
        if (hasCommand && node.has("telegram")) {
            problems.add(name + ": " + subject + ": telegram is set on a command: bot (expected it only on type: or "
                    + "class: bots, whose runtime talks to the Bot API)");
        }
        Map<String, String> env = env(name, subject, node.path("env"), problems);
        env.putAll(secrets(file, subject, node.path("secretsFile"), problems));
        if (type != null) {
            BotTypes.checkToken(name, subject, type, env, problems);
        }
        Map<String, String> config = new TreeMap<>();
        flatten("", node.path("config"), config);
        if (node.has("config") && !node.get("config").isObject()) {
            problems.add(name + ": " + subject + ": config " + Lookup.show(node.get("config"))
                    + " is not a mapping (expected e.g. { crashAfter: 20s })");
        } else if (type != null) {
            BotTypes.checkConfig(name, subject, type, config, problems);
        }
        if (id == null || restart == null || health == null || stopTimeout == null || heap == null
                || jvmOptions == null || memoryLimit == null || logSize == null || logFiles == null || logStamps == null
                || command == null || classpath == null || processes == null || openFiles == null
                || !hasCommand && telegram == null) {
            return null;
        }
        return new Specs.Bot(id, hasCommand ? null : (type != null ? type : clazz), classpath, command, config,
                restart, health, stopTimeout, new Specs.Jvm(heap, jvmOptions), memoryLimit, env,
                new Specs.Logs(logSize, logFiles, logStamps), new Specs.Limits(processes, openFiles), telegram);
    }

    private static Specs.Restart restart(Lookup f) {
        RestartPolicy policy = f.policy("restart.policy");
        Duration initial = f.duration("restart.backoff.initial", false);
        Duration max = f.duration("restart.backoff.max", true);
        Double multiplier = f.number("restart.backoff.multiplier", 1.0, 1000, "a number from 1.0, e.g. 2.0");
        Double jitter = f.number("restart.backoff.jitter", 0.0, 1.0, "a fraction from 0 to below 1, e.g. 0.2");
        Integer maxRestarts = f.integer("restart.intensity.maxRestarts", 0, 1_000_000);
        Duration window = f.duration("restart.intensity.window", true);
        Duration resetAfter = f.duration("restart.resetAfter", true);
        if (initial != null && max != null && max.compareTo(initial) < 0) {
            f.problem(f.subjectOf("restart.backoff.max"), "restart.backoff.max", f.raw("restart.backoff.max"),
                    "is below restart.backoff.initial " + Lookup.show(f.raw("restart.backoff.initial"))
                            + " (expected max ≥ initial)");
            return null;
        }
        if (policy == null || initial == null || max == null || multiplier == null || jitter == null
                || maxRestarts == null || window == null || resetAfter == null) {
            return null;
        }
        return new Specs.Restart(policy, new Specs.Backoff(initial, max, multiplier, jitter), maxRestarts, window,
                resetAfter);
    }

    private static Specs.Health health(Lookup f, String name, String subject) {
        Duration interval = f.duration("health.heartbeatInterval", true);
        Duration timeout = f.duration("health.heartbeatTimeout", true);
        Duration startup = f.duration("health.startupTimeout", true);
        Integer minScore = f.integer("health.minScore", 0, 100);
        Duration unhealthyFor = f.duration("health.unhealthyFor", true);
        if (interval != null && timeout != null && timeout.compareTo(interval) <= 0) {
            f.problem(f.subjectOf("health.heartbeatTimeout"), "health.heartbeatTimeout",
                    f.raw("health.heartbeatTimeout"), "is not longer than health.heartbeatInterval "
                            + Lookup.show(f.raw("health.heartbeatInterval")) + " (expected timeout > interval)");
            return null;
        }
        if (interval == null || timeout == null || startup == null || minScore == null || unhealthyFor == null) {
            return null;
        }
        return new Specs.Health(interval, timeout, startup, minScore, unhealthyFor);
    }

    private static Map<String, String> env(String file, String subject, JsonNode env, Problems problems) {
        Map<String, String> out = new LinkedHashMap<>();
        if (env.isMissingNode()) {
            return out;
        }
        if (!env.isObject()) {
            problems.add(file + ": " + subject + ": env is not a mapping (expected e.g. { GREETING: hello })");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = env.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                problems.add(file + ": " + subject + ": env name \"" + e.getKey()
                        + "\" is not valid (expected [A-Za-z_][A-Za-z0-9_]*)");
            } else if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                // The value may be secret: name the variable, never show the value.
                problems.add(file + ": " + subject + ": env." + e.getKey() + " is not a string (expected a scalar)");
            } else {
                out.put(e.getKey(), e.getValue().asText());
            }
        }
        return out;
    }

    /** KEY=VALUE lines, {@code #} comments; relative paths are resolved against the fleet file's directory. */
    private static Map<String, String> secrets(Path fleetFile, String subject, JsonNode node, Problems problems) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node.isMissingNode()) {
            return out;
        }
        Path base = fleetFile.toAbsolutePath().getParent();
        Path path = base.resolve(node.asText());
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (IOException e) {
            problems.add(fleetFile + ": " + subject + ": secretsFile \"" + node.asText() + "\" cannot be read ("
                    + e.getClass().getSimpleName() + ": " + path + "; expected a readable file of KEY=VALUE lines)");
            return out;
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0 || !ENV_NAME.matcher(line.substring(0, eq)).matches()) {
                problems.add(fleetFile + ": " + subject + ": secretsFile " + path + " line " + (i + 1)
                        + " is not KEY=VALUE (the line is not shown: it may hold a secret)");
                continue;
            }
            out.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix + e.getKey() + ".", e.getValue(), out));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(prefix + i + ".", node.get(i), out);
            }
        } else if (!node.isMissingNode() && !prefix.isEmpty()) {
            out.put(prefix.substring(0, prefix.length() - 1), node.isNull() ? "" : node.asText());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode n = node.path(field);
        return n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
    }

    @SuppressWarnings("unchecked")
    private static void checkKeys(String file, String subject, String prefix, JsonNode node,
                                  Map<String, Object> allowed, Problems problems) {
        if (!node.isObject()) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            Object rule = allowed.get(key);
            if (rule == null) {
                problems.add(file + ": " + subject + ": unknown key '" + prefix + key + "' (expected one of: "
                        + String.join(", ", allowed.keySet()) + ")");
            } else if (rule instanceof Map<?, ?> section) {
                JsonNode child = node.get(key);
                if (!child.isObject()) {
                    problems.add(file + ": " + subject + ": " + prefix + key + " " + Lookup.show(child)
                            + " is not a mapping (expected keys " + String.join(", ", section.keySet().stream()
                            .map(Object::toString).toList()) + ")");
                } else {
                    checkKeys(file, subject, prefix + key + ".", child, (Map<String, Object>) section, problems);
                }
            }
        }
    }

    /**
     * A command whose program is a relative path with a slash ({@code ../scripts/botvisor}, {@code bin/bot}) names a
     * file beside the fleet file, like {@code secretsFile:}, whatever directory the supervisor was started in; a bare
     * name ({@code sleep}) is looked up in PATH as before.
     */
    private static List<String> relativeToFile(Path fleetFile, List<String> command) {
        if (command == null || command.isEmpty()) {
            return command;
        }
        String program = command.get(0);
        if (!program.contains("/") || program.startsWith("/")) {
            return command;
        }
        List<String> out = new java.util.ArrayList<>(command);
        out.set(0, fleetFile.toAbsolutePath().getParent().resolve(program).normalize().toString());
        return out;
    }
}

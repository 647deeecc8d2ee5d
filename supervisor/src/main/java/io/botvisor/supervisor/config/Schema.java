package io.botvisor.supervisor.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys the fleet file may contain. A value of {@link #LEAF} is a scalar or list; {@link #FREE} is a map whose
 * keys are the user's own ({@code config:}, {@code env:}); a nested map is a section. Immutable.
 */
final class Schema {
    static final Object LEAF = "leaf";
    static final Object FREE = "free";

    /** Keys allowed both in {@code defaults:} and on a bot. */
    static final Map<String, Object> INHERITABLE = map(
            "restart", map("policy", LEAF,
                    "backoff", map("initial", LEAF, "max", LEAF, "multiplier", LEAF, "jitter", LEAF),
                    "intensity", map("maxRestarts", LEAF, "window", LEAF),
                    "resetAfter", LEAF),
            "health", map("heartbeatInterval", LEAF, "heartbeatTimeout", LEAF, "startupTimeout", LEAF,
                    "minScore", LEAF, "unhealthyFor", LEAF),
            "stopTimeout", LEAF,
            "jvm", map("heap", LEAF, "options", LEAF),
            "memoryLimit", LEAF,
            "logs", map("maxFileSize", LEAF, "maxFiles", LEAF, "timestamps", LEAF),
            "limits", map("processes", LEAF, "openFiles", LEAF),
            "telegram", map("apiUrl", LEAF, "pollTimeout", LEAF, "allowedUpdates", LEAF, "handlerThreads", LEAF,
                    "handlerTimeout", LEAF, "sendLimits", map("perChat", LEAF, "perGroup", LEAF, "overall", LEAF),
                    "uncertainSends", LEAF, "whenDatabaseDown", LEAF, "apology", LEAF,
                    "journal", map("maxBytes", LEAF)));

    static final Map<String, Object> BOT;
    /** The {@code database:} section (DatabaseSection). */
    static final Map<String, Object> DATABASE = map("enabled", LEAF, "url", LEAF, "adminUser", LEAF, "passwordFile", LEAF,
            "sslMode", LEAF, "maxConnections", LEAF, "migrateOnStart", LEAF, "hashPartitions", LEAF,
            "pools", map("maxPerBot", LEAF, "shrinkAfter", LEAF),
            "retention", map("messages", LEAF, "metrics", LEAF, "audit", LEAF, "updates", LEAF,
                    "outbox", LEAF));
    static final Map<String, Object> TOP = map("defaults", INHERITABLE, "bots", LEAF,
            "supervisor", map("startConcurrency", LEAF, "isolation", LEAF, "botUids", LEAF,
                    "metrics", map("enabled", LEAF, "interval", LEAF, "group", LEAF)), "database", DATABASE);

    static {
        Map<String, Object> bot = new LinkedHashMap<>(map("id", LEAF, "type", LEAF, "class", LEAF, "classpath", LEAF,
                "command", LEAF, "config", FREE, "env", FREE, "secretsFile", LEAF));
        bot.putAll(INHERITABLE);
        BOT = Map.copyOf(bot);
    }

    /** Built-in defaults, under whatever the file's {@code defaults:} and each bot say. */
    static final String BUILT_IN_DEFAULTS = """
            restart:
              policy: always
              backoff: { initial: 200ms, max: 60s, multiplier: 2.0, jitter: 0.2 }
              intensity: { maxRestarts: 10, window: 60s }
              resetAfter: 60s
            health: { heartbeatInterval: 1s, heartbeatTimeout: 3s, startupTimeout: 30s, minScore: 50, unhealthyFor: 30s }
            stopTimeout: 10s
            jvm: { heap: 64m, options: [] }
            logs: { maxFileSize: 10m, maxFiles: 5, timestamps: true }
            limits: { processes: 1024, openFiles: 4096 }
            telegram:
              apiUrl: https://api.telegram.org
              pollTimeout: 25s
              allowedUpdates: [message, edited_message, callback_query, my_chat_member]
              handlerThreads: 4
              handlerTimeout: 30s
              sendLimits: { perChat: 1/s, perGroup: 20/min, overall: 30/s }
              uncertainSends: retry-once
              whenDatabaseDown: wait
              apology: "Sorry, I cannot answer this right now: my database is unavailable. Please try again in a few minutes."
              journal: { maxBytes: 64m }
            """;

    /** Built-in values of the {@code database:} section. */
    static final com.fasterxml.jackson.databind.JsonNode DATABASE_DEFAULTS = yaml("""
            enabled: true
            maxConnections: auto
            migrateOnStart: false
            hashPartitions: 16
            pools: { maxPerBot: 10, shrinkAfter: 30s }
            retention: { messages: 365d, metrics: 90d, audit: 730d, updates: 7d, outbox: 30d }
            """);

    private static com.fasterxml.jackson.databind.JsonNode yaml(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper(
                    new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("built-in defaults do not parse", e);
        }
    }

    private Schema() {
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}

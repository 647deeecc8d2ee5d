package io.botvisor.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.botvisor.storage.DbEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Reads the fleet file's {@code database:} section, under environment variables that name an external server
 * ({@code BOTVISOR_DB_URL}, {@code BOTVISOR_DB_ADMIN_USER}, {@code BOTVISOR_DB_PASSWORD_FILE}). No {@code url} →
 * the embedded server. A password is only ever read from a file (or the variable {@code BOTVISOR_DB_PASSWORD}, for
 * systemd credentials), never from the fleet file itself or argv; a URL with credentials in it is refused (it would
 * be shown by {@code ctl status}, written in errors and handed to every child), and a URL in a message is always
 * shown {@linkplain DbEndpoint#redact(String) redacted}. Stateless.
 */
final class DatabaseSection {
    static final String ENV_URL = "BOTVISOR_DB_URL";
    static final String ENV_ADMIN_USER = "BOTVISOR_DB_ADMIN_USER";
    static final String ENV_PASSWORD_FILE = "BOTVISOR_DB_PASSWORD_FILE";
    static final String ENV_PASSWORD = Specs.Database.ENV_PASSWORD;
    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");

    /** {@code maxConnections: auto}: see {@link Specs.Database#budget(int)}. */
    static final int AUTO = -1;

    private DatabaseSection() {
    }

    static Specs.Database read(String file, JsonNode section, Map<String, String> env, Problems problems) {
        JsonNode node = section;
        if (!node.isMissingNode() && !node.isObject()) {
            problems.add(file + ": database: expected a mapping, got " + Lookup.show(node));
            node = MissingNode.getInstance();
        }
        ObjectNode merged = node.isObject() ? ((ObjectNode) node).deepCopy() : JsonNodeFactory.instance.objectNode();
        if (env.containsKey(ENV_URL)) {
            merged.put("url", env.get(ENV_URL));
        }
        if (env.containsKey(ENV_ADMIN_USER)) {
            merged.put("adminUser", env.get(ENV_ADMIN_USER));
        }
        if (env.containsKey(ENV_PASSWORD_FILE)) {
            merged.put("passwordFile", env.get(ENV_PASSWORD_FILE));
        }
        Lookup l = new Lookup(file, "database", merged, MissingNode.getInstance(), Schema.DATABASE_DEFAULTS, problems);
        String url = text(l, "url");
        String urlField = env.containsKey(ENV_URL) ? "url (from " + ENV_URL + ")" : "url";
        if (url != null && !url.startsWith("jdbc:postgresql://")) {
            problems.add(file + ": database: " + urlField + " \"" + DbEndpoint.redact(url) + "\" is not a PostgreSQL "
                    + "JDBC URL (expected jdbc:postgresql://HOST:PORT/DATABASE)");
        }
        if (url != null && DbEndpoint.hasCredentials(url)) {
            // Shown redacted: the whole point is not to repeat the secret.
            problems.add(file + ": database: " + urlField + " \"" + DbEndpoint.redact(url) + "\" holds credentials "
                    + "(expected none in the URL: the role goes in database.adminUser or " + ENV_ADMIN_USER
                    + ", the password in a file named by database.passwordFile or " + ENV_PASSWORD_FILE + ")");
        }
        String adminUser = text(l, "adminUser");
        String passwordFile = text(l, "passwordFile");
        String sslMode = text(l, "sslMode");
        if (sslMode != null && !SSL_MODES.contains(sslMode)) {
            l.problem("database", "sslMode", l.raw("sslMode"), "is not an sslmode (expected one of disable, allow, "
                    + "prefer, require, verify-ca, verify-full)");
        }
        if (url != null && adminUser == null) {
            problems.add(file + ": database: adminUser is missing (an external database needs the role botvisor "
                    + "manages it as; or set " + ENV_ADMIN_USER + ")");
        }
        if (url != null && passwordFile == null && !env.containsKey(ENV_PASSWORD)) {
            problems.add(file + ": database: passwordFile is missing (an external database needs a password, read "
                    + "from a file; or set " + ENV_PASSWORD_FILE + ")");
        }
        Integer maxConnections = "auto".equals(l.raw("maxConnections").asText()) ? Integer.valueOf(AUTO)
                : l.integer("maxConnections", 2, 10_000);
        Integer hashPartitions = l.integer("hashPartitions", 1, 256);
        JsonNode migrate = l.raw("migrateOnStart");
        if (!migrate.isBoolean()) {
            l.problem("database", "migrateOnStart", migrate, "is not true or false");
        }
        JsonNode enabled = l.raw("enabled");
        if (!enabled.isBoolean()) {
            l.problem("database", "enabled", enabled, "is not true or false");
        }
        Integer maxPerBot = l.integer("pools.maxPerBot", 1, 1_000);
        Duration shrinkAfter = l.duration("pools.shrinkAfter", true);
        Duration keepMessages = l.duration("retention.messages", true);
        Duration keepMetrics = l.duration("retention.metrics", true);
        Duration keepAudit = l.duration("retention.audit", true);
        Duration keepUpdates = l.duration("retention.updates", true);
        Duration keepOutbox = l.duration("retention.outbox", true);
        if (keepUpdates != null && keepUpdates.compareTo(Specs.Retention.MIN_UPDATES) < 0) {
            l.problem("database", "retention.updates", l.raw("retention.updates"), "is shorter than a day (expected "
                    + "1d or more: the inbox is what recognizes an update Telegram sends again within 24 h)");
            keepUpdates = null;
        }
        if (maxConnections == null || hashPartitions == null || maxPerBot == null || shrinkAfter == null
                || keepMessages == null || keepMetrics == null
                || keepAudit == null || keepUpdates == null || keepOutbox == null) {
            return null;
        }
        return new Specs.Database(enabled.asBoolean(true), url, adminUser, passwordFile == null ? null : Path.of(passwordFile), sslMode,
                maxConnections, migrate.asBoolean(), hashPartitions, new Specs.Pools(maxPerBot, shrinkAfter),
                new Specs.Retention(keepMessages, keepMetrics, keepAudit, keepUpdates, keepOutbox));
    }

    private static String text(Lookup l, String path) {
        JsonNode n = l.raw(path);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            l.problem("database", path, n, "is not a non-empty string");
            return null;
        }
        return n.asText();
    }
}

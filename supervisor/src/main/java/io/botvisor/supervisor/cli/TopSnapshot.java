package io.botvisor.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ctl top} shows of one {@code status --json} object (docs/status-json.md). Read defensively: a field that
 * is missing, null, of another type, or negative (the first version's -1 for "unknown") is null here, so that top works
 * against a supervisor of either version. Immutable.
 *
 * @param time when the supervisor took the snapshot; null when the object does not say (then top uses when it got it)
 */
record TopSnapshot(Long supervisorPid, Instant time, Database database, List<Bot> bots) {
    TopSnapshot {
        bots = List.copyOf(bots);
    }

    /** The fleet's database; {@code budget}/{@code reserved} null without bot-runner bots or before they are known. */
    record Database(String kind, String state, Boolean up, Integer budget, Integer reserved) {
    }

    /**
     * One bot. {@code cpuSeconds} is the supervisor's total over the bot's processes (null from a supervisor that does
     * not report it: top then reads {@code /proc/PID/stat} itself); {@code poolOpen} null before a heartbeat reported it.
     */
    record Bot(String id, String state, Long pid, Integer health, Long rssBytes, Long heapUsedBytes, Long heapMaxBytes,
               int restarts, Double cpuSeconds, Instant lastHeartbeat, Integer poolOpen, Integer poolGrant) {
    }

    static TopSnapshot parse(JsonNode root) {
        Long pid = positive(root, "supervisorPid");
        JsonNode sup = root.path("supervisor");
        if (pid == null) {
            pid = positive(sup, "pid");
        }
        List<Bot> bots = new ArrayList<>();
        for (JsonNode b : root.path("bots")) {
            JsonNode pool = b.path("pool");
            Long health = atLeast(b, "health", 0);
            Long open = atLeast(pool, "open", 0);
            Long grant = atLeast(pool, "grant", 0);
            Long restarts = atLeast(b, "restarts", 0);
            bots.add(new Bot(b.path("id").asText("?"), text(b, "state"), positive(b, "pid"),
                    health == null ? null : health.intValue(), atLeast(b, "rssBytes", 0),
                    atLeast(b, "heapUsedBytes", 0), positive(b, "heapMaxBytes"),
                    restarts == null ? 0 : restarts.intValue(), seconds(b, "cpuSeconds"),
                    instant(b, "lastHeartbeatTime"), open == null ? null : open.intValue(),
                    grant == null ? null : grant.intValue()));
        }
        return new TopSnapshot(pid, instant(root, "time"), database(root.path("database")), bots);
    }

    private static Database database(JsonNode d) {
        if (!d.isObject()) {
            return null;
        }
        JsonNode c = d.path("connections");
        Long budget = atLeast(c, "budget", 0);
        Long reserved = atLeast(c, "reserved", 0);
        return new Database(text(d, "kind"), text(d, "state"), d.path("up").isBoolean() ? d.get("up").asBoolean() : null,
                budget == null ? null : budget.intValue(), reserved == null ? null : reserved.intValue());
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    private static Long positive(JsonNode o, String field) {
        return atLeast(o, field, 1);
    }

    private static Long atLeast(JsonNode o, String field, long min) {
        JsonNode v = o.path(field);
        return v.isIntegralNumber() && v.asLong() >= min ? v.asLong() : null;
    }

    private static Double seconds(JsonNode o, String field) {
        JsonNode v = o.path(field);
        return v.isNumber() && v.asDouble() >= 0 ? v.asDouble() : null;
    }

    private static Instant instant(JsonNode o, String field) {
        JsonNode v = o.path(field);
        if (!v.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            return null; // a field top cannot read is shown as unknown, like a missing one
        }
    }
}

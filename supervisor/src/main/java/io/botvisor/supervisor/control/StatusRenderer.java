package io.botvisor.supervisor.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.botvisor.storage.DbEndpoint;
import io.botvisor.supervisor.core.BotStatus;
import io.botvisor.supervisor.core.LagRecorder;
import io.botvisor.supervisor.core.LastExit;
import io.botvisor.supervisor.db.ConnectionBroker;
import io.botvisor.supervisor.db.DatabaseStatus;
import java.util.List;
import java.util.Locale;

/**
 * Renders {@code ctl status} as a table or as one JSON object. The database endpoint is shown
 * {@linkplain DbEndpoint#redact(String) redacted}: the fleet file refuses a URL with credentials, and this makes sure.
 * Stateless and thread-safe.
 */
final class StatusRenderer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusRenderer() {
    }

    /** What status says of the walls between bots: whether each has its own user, and the line that says so. */
    record Isolation(boolean users, String detail, boolean warn) {
    }

    static String json(long supervisorPid, List<BotStatus> bots, DatabaseStatus db, ConnectionBroker.View pools) {
        return json(supervisorPid, null, null, bots, db, pools);
    }

    /**
     * With {@code lag}, a {@code loop} object: events handled, and the lag from an event's arrival (or its timer's
     * deadline) to its handling, p50/p99 (power-of-two bucket bounds) and max, in microseconds, since the start.
     */
    static String json(long supervisorPid, LagRecorder.Snapshot lag, Isolation isolation, List<BotStatus> bots,
                       DatabaseStatus db, ConnectionBroker.View pools) {
        ObjectNode root = JSON.createObjectNode();
        root.put("supervisorPid", supervisorPid);
        if (isolation != null) {
            ObjectNode i = root.putObject("isolation");
            i.put("users", isolation.users());
            i.put("detail", isolation.detail());
            i.put("warning", isolation.warn());
        }
        if (lag != null) {
            ObjectNode l = root.putObject("loop");
            l.put("events", lag.events());
            l.put("lagP50Micros", lag.p50Micros());
            l.put("lagP99Micros", lag.p99Micros());
            l.put("lagMaxMicros", lag.maxMicros());
        }
        if (db == null) {
            root.putNull("database");
        } else {
            ObjectNode d = root.putObject("database");
            d.put("kind", db.kind());
            d.put("endpoint", DbEndpoint.redact(db.endpoint()));
            d.put("state", db.state());
            d.put("pid", db.pid());
            d.put("restarts", db.restarts());
            d.put("problem", db.problem());
            if (pools != null) {
                ObjectNode c = d.putObject("connections");
                c.put("budget", pools.budget());
                c.put("reserved", pools.reserved());
            }
        }
        ArrayNode arr = root.putArray("bots");
        for (BotStatus b : bots) {
            ObjectNode o = arr.addObject();
            o.put("id", b.id());
            o.put("state", b.state().name());
            o.put("pid", b.pid());
            o.put("health", b.health());
            o.putPOJO("healthReasons", b.healthReasons());
            o.put("restarts", b.restarts());
            o.put("restartsInWindow", b.restartsInWindow());
            o.put("stateForMillis", b.stateForMillis());
            o.put("rssBytes", b.rssBytes());
            o.put("failedReason", b.failedReason());
            // The bot's own counters from its latest heartbeat (e.g. the drill bot's dbWrites, dbWaitMillis).
            ObjectNode counters = o.putObject("counters");
            new java.util.TreeMap<>(b.counters()).forEach(counters::put);
            ConnectionBroker.Grant g = pools == null ? null : pools.grants().get(b.id());
            if (g == null) {
                o.putNull("pool");
            } else {
                // grant: the pool's maximum; limit: the role's CONNECTION LIMIT; pending: a limit being set (0: none).
                ObjectNode p = o.putObject("pool");
                p.put("grant", g.grant());
                p.put("limit", g.limit());
                p.put("pending", g.pending());
            }
            LastExit e = b.lastExit();
            if (e == null) {
                o.putNull("lastExit");
            } else {
                ObjectNode le = o.putObject("lastExit");
                le.put("code", e.code());
                le.put("signal", e.signal());
                le.put("reason", e.reason());
                le.put("time", e.time().toString());
            }
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String table(List<BotStatus> bots, DatabaseStatus db, ConnectionBroker.View pools) {
        return table(null, bots, db, pools);
    }

    static String table(Isolation isolation, List<BotStatus> bots, DatabaseStatus db, ConnectionBroker.View pools) {
        StringBuilder sb = new StringBuilder();
        if (db != null) {
            sb.append(String.format(Locale.ROOT, "DATABASE %s %s %s%s%s%n", db.kind(), DbEndpoint.redact(db.endpoint()), db.state(),
                    db.pid() > 0 ? " pid " + db.pid() : "", (db.restarts() > 0 ? ", " + db.restarts() + " restarts" : "")
                            + (db.problem() == null ? "" : ": " + db.problem())));
            if (pools != null) {
                sb.append(String.format(Locale.ROOT, "CONNECTIONS %d of a budget of %d reserved (%d bots, one each "
                        + "guaranteed)%n", pools.reserved(), pools.budget(), pools.grants().size()));
            }
        }
        if (isolation != null) {
            sb.append(isolation.warn() ? "WARNING " : "ISOLATION ").append(isolation.detail())
                    .append(System.lineSeparator());
        }
        if (db != null || isolation != null) {
            sb.append(System.lineSeparator());
        }
        sb.append(String.format(Locale.ROOT, "%-24s %-9s %8s %6s %8s %10s %8s %4s  %s%n",
                "BOT", "STATE", "PID", "HEALTH", "RESTARTS", "FOR", "RSS", "POOL", "LAST EXIT"));
        for (BotStatus b : bots) {
            LastExit e = b.lastExit();
            String last = e == null ? "-" : (e.signal() != null ? e.signal() : "code " + e.code()) + ": " + e.reason();
            if (b.failedReason() != null) {
                last = b.failedReason();
            }
            ConnectionBroker.Grant g = pools == null ? null : pools.grants().get(b.id());
            sb.append(String.format(Locale.ROOT, "%-24s %-9s %8s %6s %8d %10s %8s %4s  %s%n", b.id(), b.state(),
                    b.pid() == 0 ? "-" : Long.toString(b.pid()), b.health() < 0 ? "-" : Integer.toString(b.health()),
                    b.restarts(), human(b.stateForMillis()), b.rssBytes() < 0 ? "-" : (b.rssBytes() >> 20) + "M",
                    g == null ? "-" : Integer.toString(g.grant()), last));
        }
        return sb.toString();
    }

    private static String human(long ms) {
        long s = ms / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + s % 60 + "s";
        }
        return s / 3600 + "h" + s % 3600 / 60 + "m";
    }
}

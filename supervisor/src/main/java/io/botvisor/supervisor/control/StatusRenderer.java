package io.botvisor.supervisor.control;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.botvisor.storage.DbEndpoint;
import io.botvisor.supervisor.core.BotStatus;
import io.botvisor.supervisor.core.ExitCause;
import io.botvisor.supervisor.core.LagRecorder;
import io.botvisor.supervisor.core.LastExit;
import io.botvisor.supervisor.db.ConnectionBroker;
import io.botvisor.supervisor.db.DatabaseStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link StatusSnapshot} as {@code ctl status}'s table, or as the JSON object of {@code ctl status --json}
 * and {@code STATE/metrics/status.json}, whose fields docs/status-json.md documents (a field is added there before it
 * is added here; none is renamed). The JSON is streamed, not built as a tree: the metric files write it every few
 * seconds. The database endpoint is shown {@linkplain DbEndpoint#redact(String) redacted}: the fleet file refuses a
 * URL with credentials, and this makes sure. Stateless and thread-safe.
 */
public final class StatusRenderer {
    /** The version of the JSON's layout, as docs/status-json.md gives it: raised only when a field changes meaning. */
    public static final int SCHEMA_VERSION = 1;
    private static final JsonFactory JSON = new JsonFactory();

    private StatusRenderer() {
    }

    /** The JSON object, as a string. */
    public static String json(StatusSnapshot s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024 + 1024 * s.bots().size());
        json(s, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The JSON object, written to {@code out} (UTF-8, not closed). */
    public static void json(StatusSnapshot s, OutputStream out) {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", SCHEMA_VERSION);
            g.writeStringField("time", Instant.ofEpochMilli(s.timeMillis()).toString());
            g.writeNumberField("supervisorPid", s.pid());
            g.writeObjectFieldStart("supervisor");
            g.writeNumberField("pid", s.pid());
            g.writeStringField("startTime", Instant.ofEpochMilli(s.startTimeMillis()).toString());
            g.writeFieldName("cpuSeconds");
            if (s.cpuSeconds() < 0) {
                g.writeNull();
            } else {
                g.writeNumber(s.cpuSeconds());
            }
            g.writeStringField("version", s.version());
            g.writeStringField("java", s.java());
            g.writeEndObject();
            isolation(g, s.isolation());
            loop(g, s.lag());
            database(g, s);
            g.writeArrayFieldStart("bots");
            for (BotStatus b : s.bots()) {
                bot(g, b, s.connections() == null ? null : s.connections().grants().get(b.id()));
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void isolation(JsonGenerator g, StatusSnapshot.Isolation i) throws IOException {
        if (i == null) {
            g.writeNullField("isolation");
            return;
        }
        g.writeObjectFieldStart("isolation");
        g.writeBooleanField("users", i.users());
        g.writeStringField("detail", i.detail());
        g.writeBooleanField("warning", i.warn());
        g.writeEndObject();
    }

    /**
     * Events handled, and the lag from an event's arrival (or its timer's deadline) to its handling, p50/p99
     * (power-of-two bucket bounds) and max, in microseconds, since the start.
     */
    private static void loop(JsonGenerator g, LagRecorder.Snapshot lag) throws IOException {
        if (lag == null) {
            g.writeNullField("loop");
            return;
        }
        g.writeObjectFieldStart("loop");
        g.writeNumberField("events", lag.events());
        g.writeNumberField("lagP50Micros", lag.p50Micros());
        g.writeNumberField("lagP99Micros", lag.p99Micros());
        g.writeNumberField("lagMaxMicros", lag.maxMicros());
        g.writeEndObject();
    }

    private static void database(JsonGenerator g, StatusSnapshot s) throws IOException {
        DatabaseStatus db = s.database();
        if (db == null) {
            g.writeNullField("database");
            return;
        }
        g.writeObjectFieldStart("database");
        g.writeStringField("kind", db.kind());
        g.writeStringField("endpoint", DbEndpoint.redact(db.endpoint()));
        g.writeStringField("state", db.state());
        g.writeBooleanField("up", s.databaseUp());
        nullable(g, "pid", db.pid() > 0 ? db.pid() : null);
        g.writeNumberField("restarts", db.restarts());
        g.writeStringField("problem", db.problem());
        ConnectionBroker.View pools = s.connections();
        if (pools == null) {
            g.writeNullField("connections");
        } else {
            g.writeObjectFieldStart("connections");
            g.writeNumberField("budget", pools.budget());
            g.writeNumberField("reserved", pools.reserved());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void bot(JsonGenerator g, BotStatus b, ConnectionBroker.Grant grant) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", b.id());
        g.writeStringField("kind", b.command() ? "command" : "runner");
        g.writeStringField("state", b.state().name());
        nullable(g, "pid", b.pid());
        time(g, "startTime", b.startTimeMillis());
        nullable(g, "health", b.health() == null ? null : b.health().longValue());
        g.writeArrayFieldStart("healthReasons");
        for (String r : b.healthReasons()) {
            g.writeString(r);
        }
        g.writeEndArray();
        g.writeNumberField("restarts", b.restarts());
        g.writeNumberField("restartsInWindow", b.restartsInWindow());
        g.writeNumberField("stateForMillis", b.stateForMillis());
        nullable(g, "rssBytes", b.rssBytes());
        nullable(g, "heapUsedBytes", b.heapUsedBytes());
        nullable(g, "heapMaxBytes", b.heapMaxBytes());
        time(g, "lastHeartbeatTime", b.lastHeartbeatMillis());
        BotStatus.Totals t = b.totals();
        g.writeNumberField("cpuSeconds", t.cpuSeconds());
        g.writeFieldName("gcSeconds");
        if (t.gcSeconds() == null) {
            g.writeNull();
        } else {
            g.writeNumber(t.gcSeconds());
        }
        g.writeObjectFieldStart("exits");
        for (Map.Entry<ExitCause, Long> e : t.exits().entrySet()) {
            g.writeNumberField(e.getKey().label(), e.getValue());
        }
        g.writeEndObject();
        g.writeStringField("failedReason", b.failedReason());
        if (b.handover() == null) {
            g.writeNullField("handover");
        } else {
            g.writeObjectFieldStart("handover");
            g.writeStringField("phase", b.handover().phase());
            nullable(g, "successorPid", b.handover().successorPid());
            g.writeStringField("reason", b.handover().reason());
            g.writeEndObject();
        }
        lastExit(g, b.lastExit());
        counters(g, "counters", new java.util.TreeMap<>(b.counters()));
        counters(g, "counterTotals", t.counters());
        pool(g, b, grant);
        g.writeEndObject();
    }

    private static void lastExit(JsonGenerator g, LastExit e) throws IOException {
        if (e == null) {
            g.writeNullField("lastExit");
            return;
        }
        g.writeObjectFieldStart("lastExit");
        g.writeNumberField("code", e.code());
        g.writeStringField("signal", e.signal());
        g.writeStringField("reason", e.reason());
        g.writeStringField("time", e.time().toString());
        g.writeStringField("cause", e.cause() == null ? null : e.cause().label());
        g.writeEndObject();
    }

    private static void counters(JsonGenerator g, String field, Map<String, Long> counters) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, Long> e : counters.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    /**
     * grant: the pool's maximum from the budget; limit: the role's CONNECTION LIMIT; pending: a limit being set (0:
     * none). The pool's own levels come from the bot's latest heartbeat (null before one), its counts are totals.
     */
    private static void pool(JsonGenerator g, BotStatus b, ConnectionBroker.Grant grant) throws IOException {
        if (grant == null) {
            g.writeNullField("pool");
            return;
        }
        g.writeObjectFieldStart("pool");
        g.writeNumberField("grant", grant.grant());
        g.writeNumberField("limit", grant.limit());
        g.writeNumberField("pending", grant.pending());
        nullable(g, "max", b.counters().get("db.poolMax"));
        nullable(g, "open", b.counters().get("db.poolOpen"));
        nullable(g, "peakInUse", b.counters().get("db.poolPeak"));
        nullable(g, "waiting", b.counters().get("db.poolWaiting"));
        Map<String, Long> totals = b.totals().counters();
        g.writeNumberField("contended", totals.getOrDefault("db.contended", 0L));
        g.writeNumberField("timeouts", totals.getOrDefault("db.timeouts", 0L));
        g.writeNumberField("waitSeconds", totals.getOrDefault("db.waitMillis", 0L) / 1000.0);
        g.writeEndObject();
    }

    private static void nullable(JsonGenerator g, String field, Long value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, value);
        }
    }

    private static void time(JsonGenerator g, String field, Long epochMillis) throws IOException {
        if (epochMillis == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, Instant.ofEpochMilli(epochMillis).toString());
        }
    }

    /** The table of {@code ctl status}; a bot's health reasons go on a line of their own under its row. */
    static String table(StatusSnapshot s) {
        StringBuilder sb = new StringBuilder();
        DatabaseStatus db = s.database();
        ConnectionBroker.View pools = s.connections();
        if (db != null) {
            sb.append(String.format(Locale.ROOT, "DATABASE %s %s %s%s%s%n", db.kind(), DbEndpoint.redact(db.endpoint()), db.state(),
                    db.pid() > 0 ? " pid " + db.pid() : "", (db.restarts() > 0 ? ", " + db.restarts() + " restarts" : "")
                            + (db.problem() == null ? "" : ": " + db.problem())));
            if (pools != null) {
                sb.append(String.format(Locale.ROOT, "CONNECTIONS %d of a budget of %d reserved (%d bots, one each "
                        + "guaranteed)%n", pools.reserved(), pools.budget(), pools.grants().size()));
            }
        }
        StatusSnapshot.Isolation isolation = s.isolation();
        if (isolation != null) {
            sb.append(isolation.warn() ? "WARNING " : "ISOLATION ").append(isolation.detail())
                    .append(System.lineSeparator());
        }
        if (db != null || isolation != null) {
            sb.append(System.lineSeparator());
        }
        sb.append(String.format(Locale.ROOT, "%-24s %-9s %8s %6s %8s %10s %8s %4s  %s%n",
                "BOT", "STATE", "PID", "HEALTH", "RESTARTS", "FOR", "RSS", "POOL", "LAST EXIT"));
        for (BotStatus b : s.bots()) {
            LastExit e = b.lastExit();
            String last = e == null ? "-" : (e.signal() != null ? e.signal() : "code " + e.code()) + ": " + e.reason();
            if (b.failedReason() != null) {
                last = b.failedReason();
            }
            ConnectionBroker.Grant g = pools == null ? null : pools.grants().get(b.id());
            sb.append(String.format(Locale.ROOT, "%-24s %-9s %8s %6s %8d %10s %8s %4s  %s%n", b.id(), b.state(),
                    b.pid() == null ? "-" : Long.toString(b.pid()), b.health() == null ? "-" : b.health().toString(),
                    b.restarts(), human(b.stateForMillis()), b.rssBytes() == null ? "-" : (b.rssBytes() >> 20) + "M",
                    g == null ? "-" : Integer.toString(g.grant()), last));
            if (b.handover() != null) {
                sb.append("  handover ").append(b.handover().phase()).append(": successor pid ")
                        .append(b.handover().successorPid() == null ? "not yet known" : b.handover().successorPid())
                        .append(" takes over from pid ").append(b.pid() == null ? "-" : b.pid()).append(" (")
                        .append(b.handover().reason()).append(')').append(System.lineSeparator());
            }
            if (!b.healthReasons().isEmpty()) {
                sb.append("  health ").append(b.health()).append(": ").append(String.join("; ", b.healthReasons()))
                        .append(System.lineSeparator());
            }
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

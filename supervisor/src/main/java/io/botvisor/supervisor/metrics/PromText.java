package io.botvisor.supervisor.metrics;

import io.botvisor.supervisor.control.StatusSnapshot;
import io.botvisor.supervisor.core.BotStatus;
import io.botvisor.supervisor.core.ChildState;
import io.botvisor.supervisor.core.ExitCause;
import io.botvisor.supervisor.db.ConnectionBroker;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link StatusSnapshot} as metrics in the Prometheus text format (0.0.4), for node_exporter's textfile collector:
 * every family with HELP and TYPE, counters ending in {@code _total}, no timestamps (the collector drops a file whose
 * samples carry one), labels escaped by the Prometheus project's own writer. A value that does not apply or is not
 * known yet (a stopped bot's memory, a {@code command:} bot's health) is left out rather than written as a sentinel.
 * The names are the operators' API: README ("Metric files") lists them. Not thread-safe: the metric-files thread
 * owns it.
 */
final class PromText {
    private static final ChildState[] STATES = ChildState.values();
    private static final ExitCause[] CAUSES = ExitCause.values();
    /** Without {@code _created} lines: they carry timestamps, and the collector drops a file with any. */
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.builder()
            .setIncludeCreatedTimestamps(false).build();

    /** Writes the metrics of {@code s} to {@code out} (UTF-8). */
    void write(StatusSnapshot s, OutputStream out) throws IOException {
        writer.write(out, snapshots(s));
    }

    /** One family: its metadata and data points, added bot by bot. */
    private static final class Family {
        final MetricMetadata meta;
        final boolean counter;
        final List<GaugeDataPointSnapshot> gauges = new ArrayList<>();
        final List<CounterDataPointSnapshot> counters = new ArrayList<>();

        /** {@code name} of a counter without {@code _total}: the writer adds it. */
        Family(String name, String help, boolean counter) {
            this.meta = new MetricMetadata(name, help);
            this.counter = counter;
        }

        void add(Labels labels, double value) {
            if (counter) {
                counters.add(new CounterDataPointSnapshot(value, labels, null, 0));
            } else {
                gauges.add(new GaugeDataPointSnapshot(value, labels, null));
            }
        }

        /** A family without samples is left out: nothing of it applies to this fleet now. */
        boolean isEmpty() {
            return gauges.isEmpty() && counters.isEmpty();
        }

        MetricSnapshot snapshot() {
            return counter ? new CounterSnapshot(meta, counters) : new GaugeSnapshot(meta, gauges);
        }
    }

    static MetricSnapshots snapshots(StatusSnapshot s) {
        Family up = gauge("botvisor_bot_up", "Whether the bot is RUNNING (1) or not (0).");
        Family state = gauge("botvisor_bot_state", "The bot's state: 1 for the current one, 0 for every other.");
        Family health = gauge("botvisor_bot_health_score",
                "The bot's health score, 0-100 (bot-runner bots while RUNNING, once scored).");
        Family restarts = counter("botvisor_bot_restarts", "Restarts of the bot since the supervisor started.");
        Family exits = counter("botvisor_bot_exits",
                "Ends of the bot's processes that counted against it, by reason, since the supervisor started.");
        Family start = gauge("botvisor_bot_start_time_seconds",
                "When the bot's current process started, in seconds since the epoch.");
        Family heartbeat = gauge("botvisor_bot_last_heartbeat_timestamp_seconds",
                "When the supervisor received the current process's latest heartbeat, in seconds since the epoch.");
        Family rss = gauge("botvisor_bot_resident_memory_bytes", "Resident memory of the bot's process.");
        Family heapUsed = gauge("botvisor_bot_heap_used_bytes", "Heap in use in the bot's JVM, at its latest heartbeat.");
        Family heapMax = gauge("botvisor_bot_heap_max_bytes", "Maximum heap of the bot's JVM.");
        Family gc = counter("botvisor_bot_gc_seconds", "Time the bot's JVMs spent in garbage collection.");
        Family cpu = counter("botvisor_bot_cpu_seconds", "User and system CPU time of the bot's processes.");
        Family poolGranted = gauge("botvisor_bot_db_pool_granted_connections",
                "Connections the fleet's budget grants the bot's pool.");
        Family poolLimit = gauge("botvisor_bot_db_pool_limit_connections",
                "The CONNECTION LIMIT of the bot's database role.");
        Family poolMax = gauge("botvisor_bot_db_pool_max_connections", "The maximum size the bot's pool applies.");
        Family poolOpen = gauge("botvisor_bot_db_pool_open_connections", "Connections open in the bot's pool.");
        Family poolPeak = gauge("botvisor_bot_db_pool_peak_connections",
                "Most connections of the bot's pool in use at once since its previous heartbeat.");
        Family poolWaiting = gauge("botvisor_bot_db_pool_waiting_threads",
                "Threads of the bot waiting for a connection of its pool.");
        Family poolContended = counter("botvisor_bot_db_pool_contended",
                "Borrows from the bot's pool that found every connection in use.");
        Family poolTimeouts = counter("botvisor_bot_db_pool_timeouts",
                "Borrows from the bot's pool that gave up waiting for a connection.");
        Family dbWait = counter("botvisor_bot_db_wait_seconds",
                "Time the bot's threads waited for a connection of its pool.");
        Family outbox = gauge("botvisor_bot_telegram_outbox_depth",
                "Replies the bot has queued and not yet sent (its outbox), at its latest heartbeat.");
        Family unsentAge = gauge("botvisor_bot_telegram_oldest_unsent_seconds",
                "Age of the oldest reply in the bot's outbox, at its latest heartbeat.");
        Family inboxLag = gauge("botvisor_bot_telegram_inbox_lag_updates",
                "Updates the bot has recorded and not yet handled, at its latest heartbeat.");
        Family events = counter("botvisor_bot_events", "Each counter the bot reports, by name, summed over its processes.");
        Map<String, ConnectionBroker.Grant> grants = s.connections() == null ? Map.of() : s.connections().grants();
        for (BotStatus b : s.bots()) {
            Labels bot = Labels.of("bot", b.id());
            up.add(bot, b.state() == ChildState.RUNNING ? 1 : 0);
            for (ChildState st : STATES) {
                state.add(Labels.of("bot", b.id(), "state", st.name()), b.state() == st ? 1 : 0);
            }
            if (b.health() != null) {
                health.add(bot, b.health());
            }
            restarts.add(bot, b.restarts());
            BotStatus.Totals t = b.totals();
            for (ExitCause c : CAUSES) {
                exits.add(Labels.of("bot", b.id(), "reason", c.label()), t.exits().get(c));
            }
            addIfKnown(start, bot, b.startTimeMillis() == null ? null : b.startTimeMillis() / 1000.0);
            addIfKnown(heartbeat, bot, b.lastHeartbeatMillis() == null ? null : b.lastHeartbeatMillis() / 1000.0);
            addIfKnown(rss, bot, b.rssBytes());
            addIfKnown(heapUsed, bot, b.heapUsedBytes());
            addIfKnown(heapMax, bot, b.heapMaxBytes());
            addIfKnown(gc, bot, t.gcSeconds());
            cpu.add(bot, t.cpuSeconds());
            ConnectionBroker.Grant g = grants.get(b.id());
            if (g != null) {
                poolGranted.add(bot, g.grant());
                poolLimit.add(bot, g.limit());
                addIfKnown(poolMax, bot, b.counters().get("db.poolMax"));
                addIfKnown(poolOpen, bot, b.counters().get("db.poolOpen"));
                addIfKnown(poolPeak, bot, b.counters().get("db.poolPeak"));
                addIfKnown(poolWaiting, bot, b.counters().get("db.poolWaiting"));
                poolContended.add(bot, t.counters().getOrDefault("db.contended", 0L));
                poolTimeouts.add(bot, t.counters().getOrDefault("db.timeouts", 0L));
                dbWait.add(bot, t.counters().getOrDefault("db.waitMillis", 0L) / 1000.0);
            }
            addIfKnown(outbox, bot, b.counters().get("telegram_outbox_depth"));
            addIfKnown(unsentAge, bot, b.counters().get("telegram_oldest_unsent_seconds"));
            addIfKnown(inboxLag, bot, b.counters().get("telegram_inbox_lag"));
            t.counters().forEach((name, value) -> {
                if (!name.startsWith("db.")) {
                    events.add(Labels.of("bot", b.id(), "name", name), value);
                }
            });
        }
        List<MetricSnapshot> out = new ArrayList<>(40);
        for (Family f : new Family[] {up, state, health, restarts, exits, start, heartbeat, rss, heapUsed, heapMax, gc,
            cpu, poolGranted, poolLimit, poolMax, poolOpen, poolPeak, poolWaiting, poolContended, poolTimeouts, dbWait,
            outbox, unsentAge, inboxLag, events}) {
            if (!f.isEmpty()) {
                out.add(f.snapshot());
            }
        }
        fleet(s, out);
        return new MetricSnapshots(out);
    }

    private static void fleet(StatusSnapshot s, List<MetricSnapshot> out) {
        Family up = gauge("botvisor_supervisor_up", "1 while the supervisor writes this file (see its mtime).");
        up.add(Labels.EMPTY, 1);
        out.add(up.snapshot());
        Family start = gauge("botvisor_supervisor_start_time_seconds",
                "When the supervisor started, in seconds since the epoch.");
        start.add(Labels.EMPTY, s.startTimeMillis() / 1000.0);
        out.add(start.snapshot());
        if (s.cpuSeconds() >= 0) {
            Family cpu = counter("botvisor_supervisor_cpu_seconds", "User and system CPU time of the supervisor.");
            cpu.add(Labels.EMPTY, s.cpuSeconds());
            out.add(cpu.snapshot());
        }
        if (s.database() != null) {
            Family db = gauge("botvisor_db_up", "Whether the fleet's database is up (1) or not (0).");
            db.add(Labels.EMPTY, s.databaseUp() ? 1 : 0);
            out.add(db.snapshot());
        }
        if (s.connections() != null) {
            Family budget = gauge("botvisor_db_connections_budget", "The fleet's connection budget.");
            budget.add(Labels.EMPTY, s.connections().budget());
            out.add(budget.snapshot());
            Family reserved = gauge("botvisor_db_connections_reserved",
                    "Connections of the budget reserved by the bots' pools.");
            reserved.add(Labels.EMPTY, s.connections().reserved());
            out.add(reserved.snapshot());
        }
        out.add(new InfoSnapshot(new MetricMetadata("botvisor_build", "botvisor's version and the JVM it runs on."),
                List.of(new InfoSnapshot.InfoDataPointSnapshot(Labels.of("version", s.version(), "java", s.java())))));
    }

    private static void addIfKnown(Family f, Labels labels, Number value) {
        if (value != null) {
            f.add(labels, value.doubleValue());
        }
    }

    private static Family gauge(String name, String help) {
        return new Family(name, help, false);
    }

    private static Family counter(String name, String help) {
        return new Family(name, help, true);
    }
}

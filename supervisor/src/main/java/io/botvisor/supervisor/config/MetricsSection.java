package io.botvisor.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.botvisor.ipc.Units;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * {@code supervisor.metrics}: whether the supervisor writes its metric files, how often, and which group may read
 * them. Whether the group exists is checked at start, where the host's groups are read. Stateless.
 */
final class MetricsSection {
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    /** Faster is cost without use (node_exporter is scraped every 15 s or more); slower looks like a dead daemon. */
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    static final Duration MAX_INTERVAL = Duration.ofMinutes(5);
    /** A group name as useradd accepts it, or a numeric gid. */
    private static final Pattern GROUP = Pattern.compile("[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10}");

    private MetricsSection() {
    }

    static Specs.Metrics read(String file, JsonNode supervisor, Problems problems) {
        JsonNode m = supervisor.path("metrics");
        if (m.isMissingNode()) {
            return new Specs.Metrics(true, DEFAULT_INTERVAL, null);
        }
        if (!m.isObject()) {
            // checkKeys reports a section that is no mapping.
            return new Specs.Metrics(true, DEFAULT_INTERVAL, null);
        }
        boolean enabled = true;
        JsonNode e = m.path("enabled");
        if (!e.isMissingNode()) {
            if (e.isBoolean()) {
                enabled = e.asBoolean();
            } else {
                problems.add(file + ": supervisor: metrics.enabled " + Lookup.show(e)
                        + " is not valid (expected true or false)");
            }
        }
        Duration interval = DEFAULT_INTERVAL;
        JsonNode i = m.path("interval");
        if (!i.isMissingNode()) {
            String problem = !i.isTextual() ? "is not a duration (expected a number with a unit, e.g. 5s)"
                    : Units.durationProblem(i.asText());
            if (problem == null) {
                Duration d = Units.duration(i.asText());
                if (d.compareTo(MIN_INTERVAL) < 0 || d.compareTo(MAX_INTERVAL) > 0) {
                    problem = "is out of range (expected " + Units.format(MIN_INTERVAL) + " to "
                            + Units.format(MAX_INTERVAL) + ", e.g. 5s)";
                } else {
                    interval = d;
                }
            }
            if (problem != null) {
                problems.add(file + ": supervisor: metrics.interval " + Lookup.show(i) + " " + problem);
            }
        }
        String group = null;
        JsonNode g = m.path("group");
        if (!g.isMissingNode()) {
            String text = g.isTextual() || g.isIntegralNumber() ? g.asText() : null;
            if (text == null || !GROUP.matcher(text).matches()) {
                problems.add(file + ": supervisor: metrics.group " + Lookup.show(g)
                        + " is not a group name (expected a group of this host, e.g. prometheus, or its number)");
            } else {
                group = text;
            }
        }
        return new Specs.Metrics(enabled, interval, group);
    }
}

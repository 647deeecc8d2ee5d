package io.botvisor.supervisor.reload;

import io.botvisor.supervisor.config.Specs;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a reload changes, computed from the running fleet and the new fleet file, both fully resolved (so a change of
 * {@code defaults:} shows as a change of exactly the bots that inherit it): bots added, removed, changed (with the
 * fields that differ, by name only — an {@code env:} value may be a secret), unchanged; and what cannot change while
 * the fleet runs ({@link #refused}). Pure; immutable.
 *
 * @param refused one line per fleet-level field that differs and cannot be applied live; a plan with any is not applied
 */
public record ReloadPlan(List<Specs.Bot> added, List<String> removed, List<Change> changed, List<String> unchanged,
                         List<String> refused) {

    /** Fleet-level fields a reload may change: the bots. Every other one needs a restart of the supervisor. */
    private static final Set<String> LIVE_FLEET_FIELDS = Set.of("bots", "file");

    public ReloadPlan {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        unchanged = List.copyOf(unchanged);
        refused = List.copyOf(refused);
    }

    /** One changed bot: its spec before and after, and the fields that differ ({@code health.heartbeatTimeout}). */
    public record Change(Specs.Bot before, Specs.Bot after, List<String> fields) {
        public Change {
            fields = List.copyOf(fields);
        }

        public String id() {
            return after.id();
        }

        /**
         * Only {@code config:} changed, for a bot-runner bot: its bot may take the new config live (and otherwise
         * is restarted).
         */
        public boolean configOnly() {
            return !after.isCommand() && fields.equals(List.of("config"));
        }
    }

    /** The plan that turns {@code running} into {@code next}. */
    public static ReloadPlan between(Specs.Fleet running, Specs.Fleet next) {
        List<String> refused = new ArrayList<>();
        for (String field : differences(running, next, "")) {
            String top = field.contains(".") ? field.substring(0, field.indexOf('.')) : field;
            if (!LIVE_FLEET_FIELDS.contains(top)) {
                refused.add(refusal(field));
            }
        }
        Map<String, Specs.Bot> before = new LinkedHashMap<>();
        running.bots().forEach(b -> before.put(b.id(), b));
        List<Specs.Bot> added = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        for (Specs.Bot b : next.bots()) {
            Specs.Bot old = before.remove(b.id());
            if (old == null) {
                added.add(b);
            } else if (old.equals(b)) {
                unchanged.add(b.id());
            } else {
                changed.add(new Change(old, b, differences(old, b, "")));
            }
        }
        return new ReloadPlan(added, List.copyOf(before.keySet()), changed, unchanged, refused);
    }

    private static String refusal(String field) {
        String why = switch (field.contains(".") ? field.substring(0, field.indexOf('.')) : field) {
            case "database" -> "the database and its connection budget are set up at start";
            case "isolation" -> "the bots' users and the state dir's owners are set up at start";
            case "startConcurrency" -> "the start gate is sized at start";
            case "metrics" -> "the metric files' writer is set up at start";
            default -> "it is read only at start";
        };
        return yamlName(field) + " changed: " + why + "; restart the supervisor to apply it (systemctl restart "
                + "botvisor), or change it back";
    }

    /** The fleet file's name of a field ({@code isolation.firstUid} → {@code supervisor.botUids}, etc.). */
    private static String yamlName(String field) {
        if (field.equals("startConcurrency")) {
            return "supervisor.startConcurrency";
        }
        if (field.startsWith("isolation.mode")) {
            return "supervisor.isolation";
        }
        if (field.startsWith("isolation.")) {
            return "supervisor.botUids";
        }
        if (field.startsWith("metrics")) {
            return "supervisor." + field;
        }
        return field;
    }

    /** Whether applying this plan changes nothing. */
    public boolean empty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    /** The plan, one line per kind, for the reply and the log: what each bot will go through. */
    public String describe() {
        return describe(Map.of());
    }

    /**
     * {@link #describe}, once the bots whose config alone changed have answered: {@code live} says, for each of them,
     * whether it took the new config live (absent: not asked yet).
     */
    public String describe(Map<String, Boolean> live) {
        StringBuilder s = new StringBuilder();
        for (Specs.Bot b : added) {
            s.append("  add     ").append(b.id()).append(" (started)\n");
        }
        for (Change c : changed) {
            Boolean took = live.get(c.id());
            String then = !c.configOnly() ? "restarted"
                    : took == null ? "applied live if the bot takes it, else restarted"
                    : took ? "applied live" : "restarted: the bot did not take it live";
            s.append("  change  ").append(c.id()).append(" (").append(String.join(", ", c.fields())).append("; ")
                    .append(then).append(")\n");
        }
        for (String id : removed) {
            s.append("  remove  ").append(id).append(" (stopped; its database role disabled)\n");
        }
        s.append("  keep    ").append(unchanged.size()).append(unchanged.size() == 1 ? " bot" : " bots")
                .append(" untouched\n");
        return s.toString();
    }

    /**
     * The names of the record components of {@code a} and {@code b} (same record type) that differ, one level into
     * nested records ({@code health.heartbeatTimeout}); maps and lists by their own name only.
     */
    static List<String> differences(Record a, Record b, String prefix) {
        List<String> out = new ArrayList<>();
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            Object x = value(c, a);
            Object y = value(c, b);
            if (Objects.equals(x, y)) {
                continue;
            }
            if (prefix.isEmpty() && x instanceof Record rx && y instanceof Record ry && !c.getName().equals("bots")) {
                List<String> inner = differences(rx, ry, c.getName() + ".");
                out.addAll(inner.isEmpty() ? List.of(c.getName()) : inner);
            } else {
                out.add(prefix + c.getName());
            }
        }
        return out;
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
        }
    }
}

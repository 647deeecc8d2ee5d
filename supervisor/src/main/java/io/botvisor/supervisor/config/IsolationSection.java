package io.botvisor.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code supervisor.isolation} ({@code auto}, {@code users} or {@code none}) and {@code supervisor.botUids}
 * ({@code FIRST-LAST}), checked on their own: whether the range collides with the host's users is checked at start
 * ({@code isolation.UidTable}), where /etc/passwd is read. Stateless.
 */
final class IsolationSection {
    /** Above systemd's ranges for containers (524288–1879048191) and below 2^31, which Java shows as negative. */
    static final long DEFAULT_FIRST = 1_900_000_000L;
    static final long DEFAULT_LAST = 1_900_065_535L;
    /** systemd's DynamicUser= range: a uid there may belong to a running service at any moment. */
    static final long SYSTEMD_DYNAMIC_FIRST = 61184;
    static final long SYSTEMD_DYNAMIC_LAST = 65519;
    static final long MAX_UID = 2_147_483_646L;
    private static final Pattern RANGE = Pattern.compile("(\\d{1,10})\\s*-\\s*(\\d{1,10})");

    private IsolationSection() {
    }

    static Specs.Isolation read(String file, JsonNode supervisor, Problems problems) {
        Specs.Isolation.Mode mode = Specs.Isolation.Mode.AUTO;
        JsonNode m = supervisor.path("isolation");
        if (!m.isMissingNode()) {
            String text = m.isTextual() ? m.asText().toLowerCase(Locale.ROOT) : null;
            if ("auto".equals(text)) {
                mode = Specs.Isolation.Mode.AUTO;
            } else if ("users".equals(text)) {
                mode = Specs.Isolation.Mode.USERS;
            } else if ("none".equals(text)) {
                mode = Specs.Isolation.Mode.NONE;
            } else {
                problems.add(file + ": supervisor: isolation " + Lookup.show(m)
                        + " is not valid (expected auto, users or none)");
            }
        }
        long first = DEFAULT_FIRST;
        long last = DEFAULT_LAST;
        JsonNode r = supervisor.path("botUids");
        if (!r.isMissingNode()) {
            Matcher matcher = r.isTextual() ? RANGE.matcher(r.asText().trim()) : null;
            if (matcher == null || !matcher.matches()) {
                problems.add(file + ": supervisor: botUids " + Lookup.show(r)
                        + " is not a range (expected FIRST-LAST, e.g. \"" + DEFAULT_FIRST + "-" + DEFAULT_LAST + "\")");
                return new Specs.Isolation(mode, first, last);
            }
            first = Long.parseLong(matcher.group(1));
            last = Long.parseLong(matcher.group(2));
            String problem = rangeProblem(first, last);
            if (problem != null) {
                problems.add(file + ": supervisor: botUids " + Lookup.show(r) + " " + problem);
            }
        }
        return new Specs.Isolation(mode, first, last);
    }

    private static String rangeProblem(long first, long last) {
        if (first < 1000 || last > MAX_UID || first > last) {
            return "is out of bounds (expected 1000 ≤ FIRST ≤ LAST ≤ " + MAX_UID + ")";
        }
        if (first <= SYSTEMD_DYNAMIC_LAST && last >= SYSTEMD_DYNAMIC_FIRST) {
            return "overlaps systemd's dynamic users " + SYSTEMD_DYNAMIC_FIRST + "-" + SYSTEMD_DYNAMIC_LAST
                    + " (expected a range outside it; default " + DEFAULT_FIRST + "-" + DEFAULT_LAST + ")";
        }
        return null;
    }
}

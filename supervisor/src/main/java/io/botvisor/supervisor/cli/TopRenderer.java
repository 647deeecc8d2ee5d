package io.botvisor.supervisor.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One frame of {@code ctl top} as plain lines: the fleet line, a line saying the order and where the figures come
 * from, the column header, one row per bot. Every line is cut to the terminal's width (a wrapped line would scroll the
 * frame), the rows to its height. An unknown value is {@code -}. No terminal control here: {@link TopCommand} adds it.
 * Stateless and thread-safe.
 */
final class TopRenderer {
    /** Longest bot id shown whole; a longer one is cut and ends in {@code ~}. */
    static final int MAX_ID = 32;
    static final String KEYS = "keys: c cpu, m memory, r restarts, h health, a heartbeat, s state, n name; q quits";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final List<String> STATE_ORDER = List.of("FAILED", "BACKOFF", "STARTING", "STOPPING", "STOPPED",
            "RUNNING");

    /** The orders top knows, each with its key; problems first, then by name. */
    enum Sort {
        CPU('c'), MEMORY('m'), RESTARTS('r'), HEALTH('h'), HEARTBEAT('a'), STATE('s'), NAME('n');

        final char key;

        Sort(char key) {
            this.key = key;
        }

        static Sort ofKey(int key) {
            for (Sort s : values()) {
                if (s.key == key) {
                    return s;
                }
            }
            return null;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What one frame shows. {@code cpu}: CPU % per bot id since the previous refresh (absent: not known yet);
     * {@code source}: where the figures came from, said on the second line.
     */
    record Frame(TopSnapshot snapshot, Map<String, Double> cpu, Instant now, String source) {
    }

    private TopRenderer() {
    }

    /**
     * The frame's lines. {@code width} and {@code height} of 0 mean unlimited (output to a file or a pipe);
     * {@code keys}: say which keys sort (the live view) or not (one frame for a script).
     */
    static List<String> render(Frame f, Sort sort, int width, int height, boolean keys, ZoneId zone) {
        List<TopSnapshot.Bot> bots = sorted(f, sort);
        int idWidth = Math.max(3, Math.min(MAX_ID, bots.stream().mapToInt(b -> b.id().length()).max().orElse(3)));
        List<String> lines = new ArrayList<>();
        lines.add(fleetLine(f, zone));
        lines.add("sorted by " + sort.label() + " | " + f.source() + (keys ? " | " + KEYS : ""));
        lines.add(row(idWidth, "BOT", "STATE", "HEALTH", "CPU%", "RSS", "HEAP", "RESTARTS", "POOL", "HB AGE"));
        int room = height <= 0 ? Integer.MAX_VALUE : Math.max(1, height - lines.size());
        int shown = bots.size() <= room ? bots.size() : room - 1;
        for (TopSnapshot.Bot b : bots.subList(0, shown)) {
            Double cpu = f.cpu().get(b.id());
            lines.add(row(idWidth, id(b.id(), idWidth), orDash(b.state()),
                    b.health() == null ? "-" : b.health().toString(), cpu == null ? "-" : tenths(cpu),
                    bytes(b.rssBytes()), heap(b), Integer.toString(b.restarts()), pool(b),
                    age(f.now(), b.lastHeartbeat())));
        }
        if (shown < bots.size()) {
            lines.add("... " + (bots.size() - shown) + " more of " + bots.size() + " bots (a taller window shows them)");
        }
        if (width > 0) {
            lines.replaceAll(l -> l.length() > width ? l.substring(0, width) : l);
        }
        return lines;
    }

    static String fleetLine(Frame f, ZoneId zone) {
        TopSnapshot s = f.snapshot();
        Map<String, Long> count = new java.util.TreeMap<>();
        s.bots().forEach(b -> count.merge(orDash(b.state()), 1L, Long::sum));
        StringBuilder sb = new StringBuilder("botvisor");
        if (s.supervisorPid() != null) {
            sb.append(" pid ").append(s.supervisorPid());
        }
        sb.append(" | ").append(count.getOrDefault("RUNNING", 0L)).append(" running, ")
                .append(count.getOrDefault("BACKOFF", 0L)).append(" backoff, ")
                .append(count.getOrDefault("FAILED", 0L)).append(" failed");
        count.forEach((state, n) -> {
            if (!List.of("RUNNING", "BACKOFF", "FAILED").contains(state)) {
                sb.append(", ").append(n).append(' ').append(state.toLowerCase(Locale.ROOT));
            }
        });
        sb.append(" | ").append(database(s.database()));
        return sb.append(" | ").append(CLOCK.format(f.now().atZone(zone))).toString();
    }

    private static String database(TopSnapshot.Database d) {
        if (d == null) {
            return "no database";
        }
        String state = "EXTERNAL".equals(d.state()) && d.up() != null ? (d.up() ? "up" : "DOWN") : orDash(d.state());
        String db = "db " + (d.kind() == null ? "" : d.kind() + " ") + state;
        if (d.budget() == null) {
            return db;
        }
        return db + ", connections " + (d.reserved() == null ? "-" : d.reserved()) + " of " + d.budget() + " reserved";
    }

    private static List<TopSnapshot.Bot> sorted(Frame f, Sort sort) {
        Comparator<TopSnapshot.Bot> byName = Comparator.comparing(TopSnapshot.Bot::id, TopRenderer::natural);
        Comparator<TopSnapshot.Bot> order = switch (sort) {
            case NAME -> byName;
            case STATE -> Comparator.comparingInt(b -> stateRank(b.state()));
            case CPU -> descending(b -> f.cpu().get(b.id()));
            case MEMORY -> descending(TopSnapshot.Bot::rssBytes);
            case RESTARTS -> descending(b -> (long) b.restarts());
            case HEALTH -> Comparator.comparing(TopSnapshot.Bot::health, Comparator.nullsLast(Comparator.naturalOrder()));
            case HEARTBEAT -> Comparator.comparing(TopSnapshot.Bot::lastHeartbeat,
                    Comparator.nullsLast(Comparator.naturalOrder()));
        };
        List<TopSnapshot.Bot> bots = new ArrayList<>(f.snapshot().bots());
        bots.sort(order.thenComparing(byName));
        return bots;
    }

    /** Largest first, unknown last. */
    private static <T extends Comparable<T>> Comparator<TopSnapshot.Bot> descending(Function<TopSnapshot.Bot, T> key) {
        return Comparator.comparing(key, Comparator.nullsLast(Comparator.<T>reverseOrder()));
    }

    private static int stateRank(String state) {
        int i = STATE_ORDER.indexOf(state);
        return i < 0 ? STATE_ORDER.size() : i;
    }

    /** Names as people number them: {@code bot-2} before {@code bot-10}. */
    static int natural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int ei = i;
                int ej = j;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
                    ei++;
                }
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
                    ej++;
                }
                String na = a.substring(i, ei).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** The columns after the bot's id: STATE is left-aligned, the figures right-aligned. */
    private static final int[] WIDTHS = {8, 6, 6, 6, 11, 8, 5, 7};

    /**
     * One row, cells padded to their columns (a longer cell pushes the rest right, as a format's width would). Built
     * by hand: String.format parses its pattern on every call, which a fresh JVM runs interpreted (ctl top --once).
     */
    private static String row(int idWidth, String... cells) {
        StringBuilder sb = new StringBuilder(idWidth + 80).append(cells[0]);
        sb.append(" ".repeat(Math.max(0, idWidth - cells[0].length()))).append(' ').append(cells[1]);
        sb.append(" ".repeat(Math.max(0, WIDTHS[0] - cells[1].length())));
        for (int i = 2; i < cells.length; i++) {
            sb.append(' ').append(" ".repeat(Math.max(0, WIDTHS[i - 1] - cells[i].length()))).append(cells[i]);
        }
        return sb.toString();
    }

    /** {@code v} with one decimal, rounded half up ({@code %.1f} without a Formatter). */
    static String tenths(double v) {
        long t = Math.round(v * 10);
        return (t < 0 ? "-" : "") + Math.abs(t) / 10 + "." + Math.abs(t) % 10;
    }

    private static String id(String id, int width) {
        return id.length() <= width ? id : id.substring(0, width - 1) + "~";
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    static String bytes(Long b) {
        if (b == null) {
            return "-";
        }
        if (b < 1L << 20) {
            return (b >> 10) + "K";
        }
        if (b < 1L << 30) {
            return (b >> 20) + "M";
        }
        return tenths(b / (double) (1L << 30)) + "G";
    }

    private static String heap(TopSnapshot.Bot b) {
        if (b.heapUsedBytes() == null) {
            return "-";
        }
        return bytes(b.heapUsedBytes()) + (b.heapMaxBytes() == null ? "" : "/" + bytes(b.heapMaxBytes()));
    }

    private static String pool(TopSnapshot.Bot b) {
        if (b.poolGrant() == null) {
            return "-";
        }
        return b.poolOpen() == null ? b.poolGrant().toString() : b.poolOpen() + "/" + b.poolGrant();
    }

    static String age(Instant now, Instant then) {
        if (then == null) {
            return "-";
        }
        long ms = Math.max(0, Duration.between(then, now).toMillis());
        if (ms < 10_000) {
            return tenths(ms / 1000.0) + "s";
        }
        long s = ms / 1000;
        if (s < 120) {
            return s + "s";
        }
        return s < 7200 ? s / 60 + "m" : s / 3600 + "h";
    }
}

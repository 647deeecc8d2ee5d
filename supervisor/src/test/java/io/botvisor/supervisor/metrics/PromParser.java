package io.botvisor.supervisor.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format (0.0.4) as node_exporter's textfile collector and
 * {@code promtool check metrics} take it, stricter where they only lint: every family has one HELP (not empty) and
 * one TYPE before its samples, a family's samples are together, a counter's name ends in {@code _total}, no sample
 * has a timestamp (the collector drops such a file), names and label names are valid, label values use only the
 * format's escapes ({@code \\ \" \n}), no series appears twice, the file ends with a newline. Throws
 * {@link IllegalArgumentException} naming the line at the first breach. Test fixture; stateless.
 */
public final class PromParser {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "untyped", "histogram", "summary");

    /** One family: its type and help, and its samples by series ("name{a=\"x\",b=\"y\"}", labels sorted). */
    public record Family(String name, String type, String help, Map<String, Double> samples) {
    }

    private PromParser() {
    }

    /** The families of {@code text}, in file order. */
    public static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the file does not end with a newline");
        }
        Map<String, String> helps = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        Map<String, Map<String, Double>> samples = new LinkedHashMap<>();
        Set<String> closed = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " \"" + line + "\": ";
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", 2);
                String name = parts[0];
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException(where + "invalid metric name");
                }
                if (samples.containsKey(name)) {
                    throw new IllegalArgumentException(where + "HELP or TYPE after the family's samples");
                }
                Map<String, String> into = line.startsWith("# HELP ") ? helps : types;
                if (into.put(name, parts.length > 1 ? parts[1] : "") != null) {
                    throw new IllegalArgumentException(where + "a second " + line.substring(2, 6));
                }
                if (into == types && !TYPES.contains(types.get(name))) {
                    throw new IllegalArgumentException(where + "unknown type");
                }
                if (into == helps && (parts.length < 2 || parts[1].isBlank())) {
                    throw new IllegalArgumentException(where + "empty HELP");
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            Sample s = sample(line, where);
            String family = s.name;
            if (!family.equals(current)) {
                if (closed.contains(family)) {
                    throw new IllegalArgumentException(where + "the family's samples are not together");
                }
                if (current != null) {
                    closed.add(current);
                }
                current = family;
            }
            if (!types.containsKey(family) || !helps.containsKey(family)) {
                throw new IllegalArgumentException(where + "no HELP and TYPE before the sample");
            }
            if (types.get(family).equals("counter") && !family.endsWith("_total")) {
                throw new IllegalArgumentException(where + "a counter whose name does not end in _total");
            }
            if (samples.computeIfAbsent(family, f -> new LinkedHashMap<>()).put(s.series, s.value) != null) {
                throw new IllegalArgumentException(where + "the series appears twice");
            }
        }
        for (String name : types.keySet()) {
            if (!helps.containsKey(name)) {
                throw new IllegalArgumentException("family " + name + " has a TYPE but no HELP");
            }
        }
        Map<String, Family> out = new LinkedHashMap<>();
        samples.forEach((name, s) -> out.put(name, new Family(name, types.get(name), helps.get(name), s)));
        return out;
    }

    private record Sample(String name, String series, double value) {
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + "invalid metric name");
        }
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq);
                if (!LABEL.matcher(label).matches() || label.startsWith("__")) {
                    throw new IllegalArgumentException(where + "invalid label name " + label);
                }
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException(where + "label value not quoted");
                }
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char e = line.charAt(++j);
                        switch (e) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw new IllegalArgumentException(where + "unknown escape \\" + e);
                        }
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(label, value.toString()) != null) {
                    throw new IllegalArgumentException(where + "label " + label + " twice");
                }
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException(where + "no value");
        }
        String[] rest = line.substring(i + 1).split(" ");
        if (rest.length != 1) {
            throw new IllegalArgumentException(where + "a timestamp or extra text after the value");
        }
        double value = switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(rest[0]);
        };
        List<String> parts = new ArrayList<>();
        labels.forEach((k, v) -> parts.add(k + "=\"" + v + "\""));
        return new Sample(name, labels.isEmpty() ? name : name + "{" + String.join(",", parts) + "}", value);
    }

    /** The series key of {@code name} with {@code labels} (name, value, …), as {@link #parse} keys samples. */
    public static String series(String name, String... labels) {
        Map<String, String> sorted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            sorted.put(labels[i], labels[i + 1]);
        }
        List<String> parts = new ArrayList<>();
        sorted.forEach((k, v) -> parts.add(k + "=\"" + v + "\""));
        return sorted.isEmpty() ? name : name + "{" + String.join(",", parts) + "}";
    }
}

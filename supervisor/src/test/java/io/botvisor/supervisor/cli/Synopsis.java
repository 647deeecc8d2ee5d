package io.botvisor.supervisor.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The command lines of a README: each line of a fenced code block that runs {@code botvisor} (or
 * {@code scripts/botvisor}), expanded from its synopsis into concrete argument lists. The grammar: {@code [x]}
 * optional, {@code {a|b}} one of them, {@code WORD…} one or more, an upper-case word a placeholder (given a sample
 * value). Every choice is taken: each line expands to every combination. Where a shell line goes on past the command
 * ({@code |}, {@code >}, {@code #}, {@code &&}), the command ends. Test helper; stateless.
 */
final class Synopsis {
    private static final Pattern PLACEHOLDER = Pattern.compile("[A-Z][A-Z0-9_-]*");
    private static final Pattern ENV_ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*");
    private static final Map<String, List<String>> SAMPLES = Map.of(
            "FILE", List.of("fleet.yaml"), "DIR", List.of("state"), "ID", List.of("shop-1", "shop-2"),
            "BOT", List.of("shop-1", "shop-2"), "N", List.of("2"), "SIZE", List.of("16m"),
            "PSQL-ARGS", List.of("-c", "SELECT 1"), "LOGGER", List.of("io.botvisor"), "LEVEL", List.of("DEBUG"));
    private static final int MAX_EXPANSIONS = 1024;

    private Synopsis() {
    }

    /** Every line of a fenced code block in {@code markdown} that runs botvisor, from the program name on. */
    static List<String> commandLines(String markdown) {
        List<String> out = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder continued = new StringBuilder();
        for (String raw : markdown.split("\n", -1)) {
            if (raw.strip().startsWith("```")) {
                inBlock = !inBlock;
                continue;
            }
            if (!inBlock) {
                continue;
            }
            if (raw.endsWith("\\")) {
                continued.append(raw, 0, raw.length() - 1).append(' ');
                continue;
            }
            String line = continued + raw;
            continued.setLength(0);
            for (String command : line.split("&&|;")) {
                List<String> words = List.of(command.strip().replaceFirst("^\\$ ", "").split("\\s+"));
                int i = 0;
                while (i < words.size() && (ENV_ASSIGNMENT.matcher(words.get(i)).matches()
                        || words.get(i).equals("sudo"))) {
                    i++;
                }
                if (i < words.size() && (words.get(i).equals("botvisor") || words.get(i).endsWith("/botvisor"))) {
                    out.add(String.join(" ", words.subList(i, words.size())));
                }
            }
        }
        return out;
    }

    /** The argument lists {@code line} (starting with the program's name, which is dropped) stands for. */
    static List<List<String>> expand(String line) {
        List<String> tokens = tokens(line);
        int[] at = {1};
        List<List<String>> out = expand(sequence(tokens, at));
        if (at[0] < tokens.size() && !tokens.get(at[0]).equals("|")) {
            throw new IllegalArgumentException("unbalanced '" + tokens.get(at[0]) + "' in: " + line);
        }
        return out;
    }

    private sealed interface Node permits Word, Group {
    }

    private record Word(String text) implements Node {
    }

    /** {@code [..|..]} (optional) or {@code {..|..}} (one of the alternatives). */
    private record Group(boolean optional, List<List<Node>> alternatives) implements Node {
    }

    private static List<Node> sequence(List<String> tokens, int[] at) {
        List<Node> seq = new ArrayList<>();
        while (at[0] < tokens.size()) {
            String t = tokens.get(at[0]);
            if (t.equals("]") || t.equals("}") || t.equals("|")) {
                break;
            }
            at[0]++;
            if (t.equals("[") || t.equals("{")) {
                List<List<Node>> alternatives = new ArrayList<>();
                alternatives.add(sequence(tokens, at));
                while (at[0] < tokens.size() && tokens.get(at[0]).equals("|")) {
                    at[0]++;
                    alternatives.add(sequence(tokens, at));
                }
                String close = t.equals("[") ? "]" : "}";
                if (at[0] >= tokens.size() || !tokens.get(at[0]).equals(close)) {
                    throw new IllegalArgumentException("'" + t + "' without its '" + close + "'");
                }
                at[0]++;
                seq.add(new Group(t.equals("["), alternatives));
            } else {
                seq.add(new Word(t));
            }
        }
        return seq;
    }

    private static List<List<String>> expand(List<Node> seq) {
        List<List<String>> out = List.of(List.of());
        for (Node n : seq) {
            List<List<String>> options = new ArrayList<>();
            if (n instanceof Word w) {
                options.add(values(w.text()));
            } else if (n instanceof Group g) {
                if (g.optional()) {
                    options.add(List.of());
                }
                g.alternatives().forEach(a -> options.addAll(expand(a)));
            }
            List<List<String>> next = new ArrayList<>();
            for (List<String> head : out) {
                for (List<String> tail : options) {
                    List<String> joined = new ArrayList<>(head);
                    joined.addAll(tail);
                    next.add(joined);
                }
            }
            if (next.size() > MAX_EXPANSIONS) {
                throw new IllegalArgumentException("more than " + MAX_EXPANSIONS + " expansions");
            }
            out = next;
        }
        return out;
    }

    /** A word's argument(s): a literal as is; a placeholder's sample value; {@code X…} two of them. */
    private static List<String> values(String word) {
        boolean repeated = word.endsWith("…") || word.endsWith("...");
        String w = repeated ? word.substring(0, word.length() - (word.endsWith("…") ? 1 : 3)) : word;
        if (!PLACEHOLDER.matcher(w).matches() || w.length() == 1 && !w.equals("N")) {
            return repeated ? List.of(w, w) : List.of(w);
        }
        List<String> samples = SAMPLES.getOrDefault(w, List.of("x"));
        if (w.equals("PSQL-ARGS")) {
            return samples;
        }
        return repeated ? samples.subList(0, Math.min(2, samples.size())) : samples.subList(0, 1);
    }

    /** Words, quotes removed, brackets and bars split off; a shell comment, pipe or redirection ends the command. */
    private static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
            } else if (Character.isWhitespace(c) || "[]{}|".indexOf(c) >= 0) {
                if (!word.isEmpty()) {
                    out.add(word.toString());
                    word.setLength(0);
                }
                if (!Character.isWhitespace(c)) {
                    out.add(String.valueOf(c));
                }
            } else if ((c == '#' || c == '<') && word.isEmpty() || c == '>' && word.toString().matches("[0-9&]*")) {
                word.setLength(0);
                break;
            } else {
                word.append(c);
            }
        }
        if (!word.isEmpty()) {
            out.add(word.toString());
        }
        // A '|' outside any group is the shell's pipe: the command ends there.
        int depth = 0;
        for (int i = 0; i < out.size(); i++) {
            String t = out.get(i);
            depth += t.equals("[") || t.equals("{") ? 1 : t.equals("]") || t.equals("}") ? -1 : 0;
            if (depth == 0 && t.equals("|")) {
                return new ArrayList<>(out.subList(0, i));
            }
        }
        return out;
    }
}

package io.botvisor.sandbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code botvisor sandbox verdict}: the chaos suite's checks as a running sandbox saw them (its
 * {@code /sandbox/verdict}): every user message answered, none twice, per-chat order, no two pollers of a token, no
 * call inside a 429 window, no 409 between two live pollers; each with its figures and first offending items. Exit 0
 * when every check passed, 3 when one failed. Runs on the caller's thread.
 */
@Command(name = "verdict",
        description = "Print a running sandbox's verdict on its bots (answered, duplicates, order, pollers, 429"
                + " windows, 409s); exit 0 if every check passed, 3 if one failed.")
final class VerdictCommand implements Callable<Integer> {

    static final String[] CHECKS = {"answered", "duplicates", "order", "pollers", "retryAfter", "conflicts",
        "latency"};

    @Mixin
    ControlOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--wait", description = "seconds to wait for every message to be answered first (default:"
            + " ${DEFAULT-VALUE})")
    int waitSeconds;

    @Option(names = "--reset", description = "start the counts afresh now (earlier messages and calls no longer"
            + " count) and exit")
    boolean reset;

    @Option(names = "--json", description = "print the verdict as JSON")
    boolean json;

    @Override
    public Integer call() {
        if (waitSeconds < 0) {
            throw new IllegalArgumentException("sandbox verdict: --wait " + waitSeconds + " is negative");
        }
        ControlClient control = options.client();
        PrintWriter out = spec.commandLine().getOut();
        if (reset) {
            JsonNode fresh = control.postRepeatable("verdict/reset", Map.of());
            out.println("verdict: counting afresh from " + fresh.get("sinceMillis").asLong() + " (sandbox clock, ms)");
            return 0;
        }
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        JsonNode verdict;
        do {
            long leftMs = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            verdict = control.get("verdict", Map.of("wait_ms", Math.min(leftMs, 25_000)));
        } while (verdict.at("/answered/count").asLong() > 0 && System.nanoTime() < deadline);
        if (json) {
            out.println(verdict);
        } else {
            print(verdict, out);
        }
        return verdict.get("passed").asBoolean() ? 0 : 3;
    }

    private static void print(JsonNode v, PrintWriter out) {
        out.printf("verdict: %s (over %.1f s)%n", v.get("passed").asBoolean() ? "passed" : "FAILED",
                (v.get("atMillis").asLong() - v.get("sinceMillis").asLong()) / 1000.0);
        for (String name : CHECKS) {
            JsonNode check = v.get(name);
            String mark = name.equals("latency") ? "" : check.get("passed").asBoolean() ? "ok" : "FAIL";
            out.printf("%-11s %-4s  %s%n", name, mark, figures(check.get("figures")));
            for (JsonNode o : check.get("first")) {
                out.println("    " + offence(o));
            }
        }
        StringJoiner faults = new StringJoiner(", ");
        v.get("faults").fields().forEachRemaining(f -> faults.add(f.getKey() + " " + f.getValue().asLong()));
        out.println("faults given: " + (faults.length() == 0 ? "none" : faults));
    }

    private static String figures(JsonNode figures) {
        StringJoiner line = new StringJoiner(", ");
        for (Iterator<Map.Entry<String, JsonNode>> it = figures.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            line.add(f.getKey() + " " + f.getValue().asLong());
        }
        return line.toString();
    }

    private static String offence(JsonNode o) {
        StringJoiner where = new StringJoiner(" ");
        where.add("bot " + o.get("botId").asLong());
        if (o.get("chatId").asLong() != 0) {
            where.add("chat " + o.get("chatId").asLong());
        }
        if (o.get("messageId").asLong() != 0) {
            where.add("message " + o.get("messageId").asLong());
        }
        if (o.get("seq").asLong() != 0) {
            where.add("call #" + o.get("seq").asLong());
        }
        return where + ": " + o.get("what").asText();
    }
}

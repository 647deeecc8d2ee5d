package io.botvisor.sandbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code botvisor sandbox fault}: adds a fault rule to a running sandbox (its {@code POST /sandbox/faults}), clears
 * them all, or lists the active ones; prints the active rules after. Runs on the caller's thread.
 */
@Command(name = "fault",
        description = "Inject a fault into a running sandbox's answers (KIND: 429, 500, 502, 401 or another status,"
                + " drop-before, drop-after, delay), clear them all (--clear), or list them (no KIND).")
final class FaultCommand implements Callable<Integer> {

    @Mixin
    ControlOptions options;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "KIND", description = "429, 500, 502, 401 (any 4xx/5xx), drop-before,"
            + " drop-after or delay")
    String kind;

    @Option(names = "--bot", description = "only this bot's calls (default: every bot)")
    Long bot;

    @Option(names = "--method", description = "only calls of this method, e.g. sendMessage (default: every method)")
    String method;

    @Option(names = "--times", description = "the next N matching calls (default: 1 without --fraction)")
    Integer times;

    @Option(names = "--fraction", description = "each matching call with probability P (seeded: --seed of the"
            + " sandbox), until cleared")
    Double fraction;

    @Option(names = "--retry-after", description = "retry_after of a 429, seconds (default: ${DEFAULT-VALUE})")
    int retryAfter = 5;

    @Option(names = "--delay-ms", description = "how long a delay holds the answer back (default: ${DEFAULT-VALUE})")
    long delayMs = 1000;

    @Option(names = "--clear", description = "remove every fault rule")
    boolean clear;

    @Override
    public Integer call() {
        ControlClient control = options.client();
        if (clear && kind != null) {
            throw new IllegalArgumentException("sandbox fault: give a KIND to add a fault or --clear, not both");
        }
        if (times != null && fraction != null) {
            throw new IllegalArgumentException("sandbox fault: give --times or --fraction, not both");
        }
        JsonNode active;
        if (clear) {
            active = control.postRepeatable("faults/clear", Map.of());
        } else if (kind != null) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("kind", kind);
            if (fraction != null) {
                rule.put("fraction", fraction);
            } else {
                rule.put("times", times == null ? 1 : times);
            }
            if (bot != null) {
                rule.put("bot", bot);
            }
            if (method != null) {
                rule.put("method", method);
            }
            rule.put("retry_after", retryAfter);
            rule.put("delay_ms", delayMs);
            active = control.post("faults", rule);
        } else {
            active = control.get("faults", Map.of());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (active.isEmpty()) {
            out.println("no faults");
        }
        for (JsonNode r : active) {
            out.println(describe(r));
        }
        return 0;
    }

    /** {@code 429 (retry_after 3 s) to 5% of calls of every bot, every method}. */
    static String describe(JsonNode r) {
        JsonNode f = r.get("fault");
        String what;
        switch (f.get("kind").asText()) {
            case "TOO_MANY_REQUESTS":
                what = "429 (retry_after " + f.get("retryAfterSeconds").asInt() + " s)";
                break;
            case "STATUS":
                what = Integer.toString(f.get("status").asInt());
                break;
            case "DROP_BEFORE_APPLYING":
                what = "drop-before";
                break;
            case "DROP_AFTER_APPLYING":
                what = "drop-after";
                break;
            default:
                what = "delay (" + f.get("delayMillis").asLong() + " ms)";
        }
        String which = r.get("times").asInt() > 0 ? "the next " + r.get("times").asInt() + " calls"
                : Math.round(r.get("fraction").asDouble() * 10000) / 100.0 + "% of calls";
        String botName = r.get("botId").asLong() == 0 ? "every bot" : "bot " + r.get("botId").asLong();
        String methodName = r.get("method").isNull() ? "every method" : r.get("method").asText();
        return what + " to " + which + " of " + botName + ", " + methodName;
    }
}

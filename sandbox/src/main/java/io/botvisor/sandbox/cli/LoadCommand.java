package io.botvisor.sandbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code botvisor sandbox load}: says user messages at a steady rate, round-robin over bots and chats, then waits (up
 * to --grace) for the replies and prints the sandbox's report: sent, answered, duplicates, update→reply p50/p99 and
 * throughput. One thread; each message's slot is fixed in advance (rate × elapsed), so a slow say is caught up, not
 * spread.
 */
@Command(name = "load",
        description = "Drive a running sandbox's bots with user messages at a steady rate and report latency.")
final class LoadCommand implements Callable<Integer> {

    @Mixin
    ControlOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--rate", required = true, description = "user messages per second, over all bots")
    double rate;

    @Option(names = "--chats", description = "chats per bot (default: ${DEFAULT-VALUE})")
    int chats = 10;

    @Option(names = "--duration", required = true, description = "how long to send, e.g. 30s, 2m")
    String duration;

    @Option(names = "--bots", split = ",", description = "bot ids (default: every bot that called the sandbox)")
    List<Long> bots = new ArrayList<>();

    @Option(names = "--grace", description = "seconds to wait for replies after sending (default: ${DEFAULT-VALUE})")
    int graceSeconds = 10;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() {
        if (rate <= 0) {
            throw new IllegalArgumentException("sandbox load: --rate " + rate + " is not above 0 (expected e.g. 50)");
        }
        if (chats < 1) {
            throw new IllegalArgumentException("sandbox load: --chats " + chats + " is below 1");
        }
        long seconds = seconds(duration);
        ControlClient control = options.client();
        List<Long> targets = bots.isEmpty() ? knownBots(control) : bots;
        long total = (long) Math.floor(rate * seconds);
        long start = System.nanoTime();
        long since = 0;
        String run = UUID.randomUUID().toString();
        for (long i = 0; i < total; i++) {
            LockSupport.parkNanos(start + (long) (i * 1e9 / rate) - System.nanoTime());
            long bot = targets.get((int) (i % targets.size()));
            long chat = 2000 + (i / targets.size()) % chats;
            // Each message's key: a say whose connection dropped is tried again as the same message.
            JsonNode said = control.postRepeatable("say", Map.of("bot", bot, "chat", chat, "text", "load " + i,
                    "key", run + "-" + i));
            since = since == 0 ? said.get("atMillis").asLong() : since;
        }
        String botList = join(targets);
        long graceEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
        JsonNode report;
        do {
            long leftMs = Math.max(0, (graceEnd - System.nanoTime()) / 1_000_000);
            report = control.get("report", Map.of("bots", botList, "since", since, "expect", total,
                    "wait_ms", Math.min(leftMs, 25_000)));
        } while (report.get("answered").asLong() + report.get("duplicates").asLong() < total
                && System.nanoTime() < graceEnd);
        print(report, targets, seconds);
        return 0;
    }

    private static List<Long> knownBots(ControlClient control) {
        List<Long> ids = new ArrayList<>();
        control.get("bots", Map.of()).forEach(id -> ids.add(id.asLong()));
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("sandbox load: no bot has called the sandbox yet (start the bots"
                    + " first, or name them with --bots ID,...)");
        }
        return ids;
    }

    static long seconds(String text) {
        String t = text.trim().toLowerCase();
        try {
            if (t.endsWith("m")) {
                return Long.parseLong(t.substring(0, t.length() - 1)) * 60;
            }
            long s = Long.parseLong(t.endsWith("s") ? t.substring(0, t.length() - 1) : t);
            if (s > 0) {
                return s;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("sandbox load: --duration \"" + text + "\" is not a duration (expected"
                + " e.g. 30s or 2m)");
    }

    private static String join(List<Long> ids) {
        StringJoiner j = new StringJoiner(",");
        ids.forEach(id -> j.add(Long.toString(id)));
        return j.toString();
    }

    private void print(JsonNode r, List<Long> targets, long seconds) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("sent", r.get("sent").asLong());
            o.put("answered", r.get("answered").asLong());
            o.put("duplicates", r.get("duplicates").asLong());
            o.put("p50_ms", r.get("p50Millis").asLong());
            o.put("p99_ms", r.get("p99Millis").asLong());
            o.put("throughput_per_s", r.get("throughputPerSecond").asDouble());
            o.put("rate", rate);
            o.put("chats", chats);
            o.put("duration_s", seconds);
            targets.forEach(o.putArray("bots")::add);
            out.println(o);
            return;
        }
        out.printf("sent %d, answered %d, duplicates %d%n", r.get("sent").asLong(), r.get("answered").asLong(),
                r.get("duplicates").asLong());
        out.printf("latency p50 %d ms, p99 %d ms; throughput %.1f replies/s%n", r.get("p50Millis").asLong(),
                r.get("p99Millis").asLong(), r.get("throughputPerSecond").asDouble());
    }
}

package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.List;

/**
 * The sandbox's own endpoints under {@code /sandbox/} (docs/sandbox.md, "Control API"): the user side, the record,
 * faults and tokens over HTTP, for the CLI, the benchmarks and tests in other processes. Answers use the Bot API
 * envelope; a bad request is 400 with the reason. Stateless (acts on its server).
 */
final class ControlApi {

    /** A control request waits at most this long for a bot's message (it holds a pool thread meanwhile). */
    static final long MAX_WAIT_MS = 30_000;

    private final SandboxServer server;
    private final ObjectMapper json;

    ControlApi(SandboxServer server, ObjectMapper json) {
        this.server = server;
        this.json = json;
    }

    ApiResult handle(String httpMethod, String path, Params p) {
        try {
            return dispatch(httpMethod, path, p);
        } catch (IllegalArgumentException | Params.BadParams e) {
            return ApiResult.error(400, e.getMessage());
        }
    }

    private ApiResult dispatch(String httpMethod, String path, Params p) {
        boolean post = "POST".equals(httpMethod);
        switch (path) {
            case "say": {
                requirePost(post, path);
                long chat = required(p, "chat");
                UserEvent e = server.say(required(p, "bot"), chat, p.integer("from", chat), p.text("text").orElse(""),
                        p.text("key").orElse(null));
                return ApiResult.ok(json.valueToTree(e));
            }
            case "press": {
                requirePost(post, path);
                long chat = required(p, "chat");
                UserEvent e = server.press(required(p, "bot"), chat, p.integer("from", chat),
                        required(p, "message_id"), p.text("data").orElse(""));
                return ApiResult.ok(json.valueToTree(e));
            }
            case "migrate": {
                requirePost(post, path);
                ObjectNode out = json.createObjectNode();
                out.put("migrate_to_chat_id", server.migrate(required(p, "bot"), required(p, "chat")));
                return ApiResult.ok(out);
            }
            case "sent":
                return ApiResult.ok(sent(p));
            case "calls":
                return ApiResult.ok(calls(p));
            case "report":
                return ApiResult.ok(report(p));
            case "verdict": {
                long waitMs = Math.max(0, Math.min(MAX_WAIT_MS, p.integer("wait_ms", 0)));
                return ApiResult.ok(json.valueToTree(waitMs > 0 ? server.awaitVerdict(Duration.ofMillis(waitMs))
                        : server.verdict()));
            }
            case "verdict/reset":
                requirePost(post, path);
                server.resetVerdict();
                return ApiResult.ok(json.valueToTree(server.verdict()));
            case "bots":
                return ApiResult.ok(json.valueToTree(server.botIds()));
            case "faults":
                if (post) {
                    server.injectFault(rule(p));
                }
                return ApiResult.ok(json.valueToTree(server.activeFaults()));
            case "faults/clear":
                requirePost(post, path);
                server.clearFaults();
                return ApiResult.ok(json.createArrayNode());
            case "revoke":
                requirePost(post, path);
                if (p.bool("not_found_on_get_me")) {
                    server.revokeWithNotFoundOnGetMe(required(p, "bot"));
                } else {
                    server.revoke(required(p, "bot"));
                }
                return ApiResult.ok(json.getNodeFactory().booleanNode(true));
            case "restore":
                requirePost(post, path);
                server.restore(required(p, "bot"));
                return ApiResult.ok(json.getNodeFactory().booleanNode(true));
            case "id-jump":
                requirePost(post, path);
                server.jumpNextUpdateId(required(p, "bot"));
                return ApiResult.ok(json.getNodeFactory().booleanNode(true));
            default:
                return ApiResult.error(404, "Not Found: no sandbox endpoint /sandbox/" + path
                        + " (expected say, press, migrate, sent, calls, report, verdict, verdict/reset, bots, faults,"
                        + " faults/clear, revoke, restore, id-jump)");
        }
    }

    private static void requirePost(boolean post, String path) {
        if (!post) {
            throw new IllegalArgumentException("/sandbox/" + path + " changes state: use POST");
        }
    }

    private static long required(Params p, String name) {
        return p.integer(name).orElseThrow(() -> new IllegalArgumentException(
                "sandbox: parameter \"" + name + "\" is missing (expected a number)"));
    }

    private JsonNode sent(Params p) {
        long bot = required(p, "bot");
        long chat = required(p, "chat");
        long waitMs = Math.max(0, Math.min(MAX_WAIT_MS, p.integer("wait_ms", 0)));
        List<BotMessage> messages;
        if (p.has("after")) {
            messages = server.awaitSentAfter(bot, chat, p.integer("after", 0), Duration.ofMillis(waitMs));
        } else {
            messages = server.sent(bot, chat);
        }
        ArrayNode out = json.createArrayNode();
        for (BotMessage m : messages) {
            ObjectNode item = json.valueToTree(m);
            out.add(item);
        }
        return out;
    }

    private JsonNode report(Params p) {
        Set<Long> bots = new HashSet<>();
        for (String id : p.text("bots").orElse(p.text("bot").orElse("")).split(",")) {
            if (!id.isBlank()) {
                try {
                    bots.add(Long.parseLong(id.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("sandbox: report: bot id \"" + id + "\" is not a number");
                }
            }
        }
        long waitMs = Math.max(0, Math.min(MAX_WAIT_MS, p.integer("wait_ms", 0)));
        LatencyReport r = server.awaitReport(bots, p.integer("since", 0), p.integer("expect", 0),
                Duration.ofMillis(waitMs));
        ObjectNode out = json.valueToTree(r);
        out.put("throughputPerSecond", r.throughputPerSecond());
        return out;
    }

    private JsonNode calls(Params p) {
        long bot = p.integer("bot", 0);
        long since = p.integer("since", 0);
        ArrayNode out = json.createArrayNode();
        for (Call c : bot == 0 ? server.record().calls() : server.record().calls(bot)) {
            if (c.seq() > since) {
                out.add(json.valueToTree(c));
            }
        }
        return out;
    }

    private static FaultRule rule(Params p) {
        String kind = p.text("kind").orElseThrow(() -> new IllegalArgumentException(
                "sandbox: faults: parameter \"kind\" is missing (expected 429, 500, 502, 401, drop-before, drop-after"
                        + " or delay)"));
        Fault fault;
        switch (kind) {
            case "429":
                fault = Fault.tooManyRequests((int) p.integer("retry_after", 5));
                break;
            case "drop-before":
                fault = Fault.dropBeforeApplying();
                break;
            case "drop-after":
                fault = Fault.dropAfterApplying();
                break;
            case "delay":
                fault = Fault.delay(Duration.ofMillis(p.integer("delay_ms", 1000)));
                break;
            default:
                try {
                    fault = Fault.status(Integer.parseInt(kind));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("sandbox: faults: kind \"" + kind + "\" is not a fault"
                            + " (expected 429, 500, 502, 401, drop-before, drop-after or delay)");
                }
        }
        FaultRule rule = p.has("fraction")
                ? FaultRule.fraction(Double.parseDouble(p.text("fraction").get()), fault)
                : FaultRule.next((int) p.integer("times", 1), fault);
        if (p.has("bot")) {
            rule = rule.forBot(p.integer("bot", 0));
        }
        if (p.has("method")) {
            rule = rule.forMethod(p.text("method").get());
        }
        return rule;
    }
}

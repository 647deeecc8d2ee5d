package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes each HTTP exchange: {@code /sandbox/…} to the {@link ControlApi}, {@code /bot<token>/<method>} through the
 * token check, the record and the fault rules to {@link BotApi}; anything else is 404. Runs on the server's pool;
 * stateless but for the set of warnings already logged (thread-safe, capped).
 */
final class Router {

    private static final Pattern BOT_PATH = Pattern.compile("^/bot([^/]+)/([A-Za-z_]*)/?$");
    private static final Pattern TOKEN = Pattern.compile("^([1-9][0-9]{0,15}):([A-Za-z0-9_\\-]{1,70})$");
    /** A client calling many wrong paths must not flood the log: each warning once, at most this many. */
    private static final int MAX_WARNINGS = 1000;

    private final SandboxServer server;
    private final ControlApi control;
    private final CallRecord record;
    private final Faults faults;
    private final Executor pool;
    private final SandboxClock clock;
    private final ObjectMapper json;
    private final Consumer<String> log;
    private final boolean verbose;
    private final boolean acceptAnyToken;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    Router(SandboxServer server, ControlApi control, CallRecord record, Faults faults, Executor pool,
           SandboxClock clock, ObjectMapper json, Consumer<String> log, boolean verbose, boolean acceptAnyToken) {
        this.server = server;
        this.control = control;
        this.record = record;
        this.faults = faults;
        this.pool = pool;
        this.clock = clock;
        this.json = json;
        this.log = log;
        this.verbose = verbose;
        this.acceptAnyToken = acceptAnyToken;
    }

    /** The token pattern of the real server's checks; group 1 is the bot id, group 2 the secret. */
    static Matcher token(String token) {
        return TOKEN.matcher(token);
    }

    void handle(HttpExchange exchange) {
        try {
            String path = exchange.getRequestURI().getRawPath();
            byte[] body = readBody(exchange.getRequestBody());
            Params params;
            try {
                params = Params.parse(exchange.getRequestURI().getRawQuery(),
                        exchange.getRequestHeaders().getFirst("Content-Type"), body, json);
            } catch (Params.BadParams e) {
                immediate(exchange, ApiResult.badRequest(e.getMessage()));
                return;
            }
            if (path.startsWith("/sandbox/")) {
                immediate(exchange, control.handle(exchange.getRequestMethod(), path.substring("/sandbox/".length()),
                        params));
                return;
            }
            Matcher m = BOT_PATH.matcher(path);
            if (!m.matches()) {
                warnOnce(path, "sandbox: no such path " + path + " (expected /bot<token>/<method>)");
                immediate(exchange, ApiResult.error(404, "Not Found"));
                return;
            }
            botCall(exchange, m.group(1), m.group(2), params);
        } catch (IOException | RuntimeException e) {
            log.accept("sandbox: request failed: " + e);
            exchange.close();
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private void warnOnce(String key, String line) {
        if (warned.size() < MAX_WARNINGS && warned.add(key)) {
            log.accept(line);
        }
    }

    /** A control answer or a 404: written on this thread, not recorded. */
    private void immediate(HttpExchange exchange, ApiResult result) {
        new Reply(exchange, null, null, null, Runnable::run, clock, json, null).answer(result, null);
    }

    private Reply reply(HttpExchange exchange, CallRecord.Entry call, Fault fault) {
        return new Reply(exchange, record, call, fault, pool, clock, json, verbose ? log : null);
    }

    private void botCall(HttpExchange exchange, String token, String method, Params params) {
        long now = clock.millis();
        Matcher t = TOKEN.matcher(token);
        if (!t.matches()) {
            CallRecord.Entry call = record.open(0, method, params.asJson(), now, null);
            reply(exchange, call, null).answer(ApiResult.error(401, "Unauthorized: invalid token specified"), null);
            record.handled(call);
            return;
        }
        long botId = Long.parseLong(t.group(1));
        Bot bot = acceptAnyToken ? server.bot(botId, t.group(2)) : server.existing(botId);
        CallRecord.Entry call = record.open(botId, method, params.asJson(), now,
                bot == null ? null : bot.insideRetryWindow(now), exchange.getLocalAddress().getPort(),
                exchange.getRemoteAddress().getPort());
        try {
            serve(bot, t.group(2), method, params, reply(exchange, call, null), exchange, call, now);
        } finally {
            record.handled(call);
        }
        if (BotApi.unknown(method)) {
            warnOnce(botId + "/" + method, "sandbox: bot " + botId + ": unknown method " + method + " ("
                    + exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + ")");
        }
    }

    private void serve(Bot bot, String secret, String method, Params params, Reply plain, HttpExchange exchange,
                       CallRecord.Entry call, long now) {
        ApiResult rejected = bot == null ? ApiResult.error(401, "Unauthorized") : bot.reject(secret, method);
        if (rejected != null) {
            plain.answer(rejected, "token rejected");
            return;
        }
        Fault fault = faults.pick(bot.id, method);
        Reply reply = fault == null ? plain : reply(exchange, call, fault);
        if (fault != null) {
            record.faulted(fault.label());
            switch (fault.kind()) {
                case DROP_BEFORE_APPLYING:
                    reply.dropBeforeApplying();
                    return;
                case TOO_MANY_REQUESTS:
                    reply.tooManyRequests(bot, fault.retryAfterSeconds());
                    return;
                case STATUS:
                    reply.answer(BotApi.status(fault.status()), null);
                    return;
                default:
                    break; // drop-after and delay act on the answer
            }
        }
        try {
            BotApi.call(bot, method, params, reply);
        } catch (Params.BadParams e) {
            reply.answer(ApiResult.badRequest(e.getMessage()), null);
        }
    }
}

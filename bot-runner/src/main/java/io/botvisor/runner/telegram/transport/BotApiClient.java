package io.botvisor.runner.telegram.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.botvisor.runner.telegram.transport.ApiOutcome.Failure;
import io.botvisor.runner.telegram.transport.ApiOutcome.Kind;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;

/**
 * One bot's client of the Bot API: JSON POSTs over the JDK's {@link HttpClient} (one per JVM: a child runs one bot;
 * the JDK 17 client has no {@code close()}), pinned to HTTP/1.1 (else it sends {@code Upgrade: h2c} on
 * {@code http://}), with a connect timeout and a deadline on the <em>whole</em> response
 * ({@code sendAsync(...)} and a timed {@code get}: the request timeout stops at the headers, JDK-8208693).
 *
 * <p>Every call returns an {@link ApiOutcome}; none throws for what the server or the network did. A call blocks
 * its thread; interrupting that thread aborts the exchange at once and the call throws {@link InterruptedException}
 * (the handover of a poll to a new process relies on it). The token is only ever in the request URI: {@link
 * #toString()}, outcomes and exception texts go through {@link Redaction}.
 *
 * <p>Thread-safe: the poller and the sender share one instance.
 */
public final class BotApiClient {
    /** getUpdates' deadline is its poll timeout plus this: the server answers a parked poll at its timeout. */
    static final Duration POLL_GRACE = Duration.ofSeconds(10);

    private final HttpClient http;
    private final ObjectMapper json;
    private final String methodBase;
    private final String redactedBase;
    private final Duration callTimeout;

    /**
     * @param apiUrl      the Bot API server, e.g. {@code https://api.telegram.org} (no trailing path)
     * @param token       the bot's token, {@code <bot id>:<secret>}
     * @param connect     connect timeout
     * @param callTimeout deadline for a whole response of a call other than getUpdates
     */
    public BotApiClient(URI apiUrl, String token, Duration connect, Duration callTimeout, ObjectMapper json) {
        Objects.requireNonNull(token, "token");
        if (!Redaction.WELL_FORMED.matcher(token).matches()) {
            // Never echo it: a malformed token may still be most of a real one.
            throw new TransportException("the Telegram token is not of the form <bot id>:<secret> (digits, a colon, "
                    + "then letters, digits, '_' or '-'); check the bot's TELEGRAM_BOT_TOKEN");
        }
        String base = apiUrl.toString().replaceAll("/+$", "");
        this.methodBase = base + "/bot" + token + "/";
        this.redactedBase = base + "/bot" + token.substring(0, token.indexOf(':')) + ":***/";
        this.callTimeout = callTimeout;
        this.json = json;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connect)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Telegram's official server, 10 s to connect, 30 s for a whole response. */
    public static BotApiClient create(URI apiUrl, String token) {
        return new BotApiClient(apiUrl, token, Duration.ofSeconds(10), Duration.ofSeconds(30), new ObjectMapper());
    }

    public ObjectMapper json() {
        return json;
    }

    public ApiOutcome getMe() throws InterruptedException {
        return call("getMe", "{}");
    }

    public ApiOutcome getWebhookInfo() throws InterruptedException {
        return call("getWebhookInfo", "{}");
    }

    /** Removes a webhook so getUpdates works; {@code dropPending} false keeps the updates waiting on Telegram. */
    public ApiOutcome deleteWebhook(boolean dropPending) throws InterruptedException {
        return call("deleteWebhook", "{\"drop_pending_updates\":" + dropPending + "}");
    }

    /**
     * Long poll: waits up to {@code timeoutSeconds} on the server; the whole response may take that plus
     * {@link #POLL_GRACE}. {@code offset} 0 sends none (Telegram then returns from its oldest kept update).
     */
    public ApiOutcome getUpdates(long offset, int limit, int timeoutSeconds, List<String> allowedUpdates)
            throws InterruptedException {
        ObjectNode body = json.createObjectNode();
        if (offset != 0) {
            body.put("offset", offset);
        }
        body.put("limit", limit);
        body.put("timeout", timeoutSeconds);
        body.putArray("allowed_updates").addAll(allowedUpdates.stream().map(body::textNode).toList());
        return call("getUpdates", body.toString(), Duration.ofSeconds(timeoutSeconds).plus(POLL_GRACE));
    }

    /** Any method with a JSON object payload (the sender's sendMessage, editMessageText, …). */
    public ApiOutcome call(String method, String jsonPayload) throws InterruptedException {
        return call(method, jsonPayload, callTimeout);
    }

    private ApiOutcome call(String method, String jsonPayload, Duration deadline) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(methodBase + method))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonPayload, StandardCharsets.UTF_8)).build();
        CompletableFuture<HttpResponse<String>> exchange =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        try {
            // A deadline on the whole response (headers and body). Not orTimeout: it would complete the future
            // itself, after which cancel() no longer reaches the exchange and its connection stays open.
            HttpResponse<String> response = exchange.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
            return Envelope.parse(json, method, response.statusCode(), response.body());
        } catch (InterruptedException e) {
            exchange.cancel(true); // since JDK 16 this aborts the exchange and closes its connection
            throw e;
        } catch (TimeoutException e) {
            exchange.cancel(true);
            return Failure.of(Kind.UNCERTAIN, 0, method + ": no complete response within " + deadline.toMillis()
                    + " ms");
        } catch (ExecutionException e) {
            return failure(method, e.getCause());
        }
    }

    /** Whether the request could have reached the server decides NOT_SENT (safe to resend) against UNCERTAIN. */
    static Failure failure(String method, Throwable cause) {
        boolean notSent = false;
        for (Throwable c = cause; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ConnectException || c instanceof HttpConnectTimeoutException
                    || c instanceof UnresolvedAddressException || c instanceof SSLHandshakeException) {
                notSent = true;
                break;
            }
        }
        // Anything else (a reset or EOF after writing, a JDK bug) may have reached the server: UNCERTAIN.
        return Failure.of(notSent ? Kind.NOT_SENT : Kind.UNCERTAIN, 0, method + ": " + Redaction.describe(cause));
    }

    /** The request URL of {@code method} with the token's secret hidden: for log lines. */
    public String redactedUrl(String method) {
        return redactedBase + method;
    }

    @Override
    public String toString() {
        return "BotApiClient[" + redactedBase + "]";
    }

    /** The {@code message_id} of a send's result, or null when the result is not a message (e.g. {@code true}). */
    public static Long messageId(JsonNode result) {
        JsonNode id = result == null ? null : result.get("message_id");
        return id != null && id.canConvertToLong() ? id.longValue() : null;
    }
}

package io.botvisor.sandbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The CLI's client of a running sandbox's control endpoints ({@code /sandbox/…}): one JDK HTTP client pinned to
 * HTTP/1.1. A request that may be repeated (a read, or a say with its idempotency key) is tried again, at once, when
 * its connection failed before the answer came (a keep-alive connection the server had closed: "header parser
 * received no bytes"), up to {@link #ATTEMPTS} times; one that may not is tried once. Failures become
 * {@link CliException}s that say what to do. Thread-safe.
 */
final class ControlClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tries of a repeatable request: a second one is on a fresh connection; a third covers a server mid-restart. */
    static final int ATTEMPTS = 3;

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    ControlClient(String url) {
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** A POST tried once: repeating it could do it twice. */
    JsonNode post(String endpoint, Map<String, ?> params) {
        return send(postRequest(endpoint, params), endpoint, 1);
    }

    /** A POST that is safe to repeat (a say with its {@code key}, a clear): tried again if its connection failed. */
    JsonNode postRepeatable(String endpoint, Map<String, ?> params) {
        return send(postRequest(endpoint, params), endpoint, ATTEMPTS);
    }

    private HttpRequest postRequest(String endpoint, Map<String, ?> params) {
        return HttpRequest.newBuilder(URI.create(base + "/sandbox/" + endpoint))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(params))).timeout(Duration.ofSeconds(60)).build();
    }

    JsonNode get(String endpoint, Map<String, ?> params) {
        return send(HttpRequest.newBuilder(URI.create(base + "/sandbox/" + endpoint + "?" + form(params))).GET()
                .timeout(Duration.ofSeconds(60)).build(), endpoint, ATTEMPTS);
    }

    private JsonNode send(HttpRequest request, String endpoint, int attempts) {
        for (int attempt = 1; ; attempt++) {
            try {
                return sendOnce(request, endpoint);
            } catch (IOException e) {
                if (attempt >= attempts || e instanceof ConnectException || e instanceof HttpTimeoutException) {
                    throw failed(e, endpoint);
                }
            }
        }
    }

    private CliException failed(IOException e, String endpoint) {
        if (e instanceof ConnectException) {
            return new CliException("sandbox: no sandbox answers at " + base + " (start one with: botvisor sandbox"
                    + " --port " + URI.create(base).getPort() + ")");
        }
        return new CliException("sandbox: " + base + "/sandbox/" + endpoint + " failed: " + e.getMessage());
    }

    private JsonNode sendOnce(HttpRequest request, String endpoint) throws IOException {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (!body.path("ok").asBoolean(false)) {
                throw new CliException(body.path("description").asText("sandbox: /sandbox/" + endpoint
                        + " answered " + response.statusCode()));
            }
            return body.get("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("sandbox: interrupted");
        }
    }

    private static String form(Map<String, ?> params) {
        StringJoiner out = new StringJoiner("&");
        params.forEach((k, v) -> out.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8)));
        return out.toString();
    }

    /** A failure the CLI reports as one line on stderr and exit status 1. */
    static final class CliException extends RuntimeException {
        CliException(String message) {
            super(message);
        }
    }
}

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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The CLI's client of a running sandbox's control endpoints ({@code /sandbox/…}): one JDK HTTP client pinned to
 * HTTP/1.1. Failures become {@link CliException}s that say what to do. Thread-safe.
 */
final class ControlClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    ControlClient(String url) {
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    JsonNode post(String endpoint, Map<String, ?> params) {
        return send(HttpRequest.newBuilder(URI.create(base + "/sandbox/" + endpoint))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(params))), endpoint);
    }

    JsonNode get(String endpoint, Map<String, ?> params) {
        return send(HttpRequest.newBuilder(URI.create(base + "/sandbox/" + endpoint + "?" + form(params))).GET(),
                endpoint);
    }

    private JsonNode send(HttpRequest.Builder request, String endpoint) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (!body.path("ok").asBoolean(false)) {
                throw new CliException(body.path("description").asText("sandbox: /sandbox/" + endpoint
                        + " answered " + response.statusCode()));
            }
            return body.get("result");
        } catch (ConnectException e) {
            throw new CliException("sandbox: no sandbox answers at " + base + " (start one with: botvisor sandbox"
                    + " --port " + URI.create(base).getPort() + ")");
        } catch (IOException e) {
            throw new CliException("sandbox: " + base + "/sandbox/" + endpoint + " failed: " + e.getMessage());
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

package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;

/** A Bot API client for the tests: the JDK's HTTP client pinned to HTTP/1.1, as the runtime uses it. */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** A status and a parsed body (null when the body is not JSON). */
    record Answer(int status, JsonNode body, String raw) {
        JsonNode result() {
            return body.get("result");
        }

        String description() {
            return body.path("description").asText();
        }
    }

    private final String base;

    ApiClient(SandboxServer server, String token) {
        this.base = server.url() + "/bot" + token + "/";
    }

    static String form(Map<String, ?> params) {
        StringJoiner out = new StringJoiner("&");
        params.forEach((k, v) -> out.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8)));
        return out.toString();
    }

    /** POST with a JSON body. */
    Answer call(String method, Map<String, ?> params) throws IOException, InterruptedException {
        return send(jsonRequest(method, params));
    }

    CompletableFuture<Answer> callAsync(String method, Map<String, ?> params) {
        return HTTP.sendAsync(jsonRequest(method, params), HttpResponse.BodyHandlers.ofString())
                .thenApply(ApiClient::answer);
    }

    Answer get(String method, Map<String, ?> params) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + method + "?" + form(params))).GET()
                .timeout(Duration.ofSeconds(70)).build());
    }

    Answer postForm(String method, Map<String, ?> params) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + method))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(params))).timeout(Duration.ofSeconds(70)).build());
    }

    private HttpRequest jsonRequest(String method, Map<String, ?> params) {
        try {
            return HttpRequest.newBuilder(URI.create(base + method)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(params)))
                    .timeout(Duration.ofSeconds(70)).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Answer send(HttpRequest request) throws IOException, InterruptedException {
        return answer(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    private static Answer answer(HttpResponse<String> response) {
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        return new Answer(response.statusCode(), body, response.body());
    }
}

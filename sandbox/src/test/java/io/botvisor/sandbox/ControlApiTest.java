package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ControlApiTest {

    private final SandboxServer server = SandboxServer.start(SandboxConfig.defaults().withLog(line -> { }));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void close() {
        server.close();
    }

    private JsonNode control(String method, String endpoint, Map<String, ?> params) throws Exception {
        String form = ApiClient.form(params);
        HttpRequest.Builder request = "GET".equals(method)
                ? HttpRequest.newBuilder(URI.create(server.url() + "/sandbox/" + endpoint + "?" + form)).GET()
                : HttpRequest.newBuilder(URI.create(server.url() + "/sandbox/" + endpoint))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form));
        return ApiClient.JSON.readTree(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void sayMakesAnUpdate() throws Exception {
        JsonNode said = control("POST", "say", Map.of("bot", 123, "chat", 42, "text", "hi"));

        assertThat(said.at("/result/updateId").asLong()).isEqualTo(server.nextUpdateId(123) - 1);
        assertThat(server.pendingUpdateCount(123)).isEqualTo(1);
    }

    @Test
    void aFaultInjectedOverHttpShowsInTheRecord() throws Exception {
        control("POST", "faults", Map.of("bot", 123, "method", "getMe", "kind", "429", "retry_after", 3));

        ApiClient.Answer answer = new ApiClient(server, "123:s").call("getMe", Map.of());
        JsonNode calls = control("GET", "calls", Map.of("bot", 123));

        assertThat(answer.status()).isEqualTo(429);
        assertThat(calls.at("/result/0/status").asInt()).isEqualTo(429);
        assertThat(calls.at("/result/0/fault").asText()).isEqualTo("429");
    }

    @Test
    void sentWaitsForTheBotsMessage() throws Exception {
        try (EchoBot bot = new EchoBot(server, "123:s")) {
            long said = control("POST", "say", Map.of("bot", 123, "chat", 42, "text", "ping"))
                    .at("/result/messageId").asLong();

            JsonNode sent = control("GET", "sent", Map.of("bot", 123, "chat", 42, "after", said, "wait_ms", 10_000));

            assertThat(sent.at("/result/0/text").asText()).isEqualTo("ping");
        }
    }

    @Test
    void sayWithTheSameKeyAgainMakesNoSecondMessage() throws Exception {
        JsonNode first = control("POST", "say", Map.of("bot", 123, "chat", 42, "text", "hi", "key", "k1"));
        JsonNode again = control("POST", "say", Map.of("bot", 123, "chat", 42, "text", "hi", "key", "k1"));

        assertThat(again.get("result")).isEqualTo(first.get("result"));
        assertThat(server.pendingUpdateCount(123)).isEqualTo(1);
        assertThat(server.verdict().answered().figures()).containsEntry("said", 1L);
    }

    @Test
    void sayWithAKeyOfAnotherMessageIsRefused() throws Exception {
        control("POST", "say", Map.of("bot", 123, "chat", 42, "text", "hi", "key", "k1"));

        JsonNode answer = control("POST", "say", Map.of("bot", 123, "chat", 42, "text", "other", "key", "k1"));

        assertThat(answer.get("error_code").asInt()).isEqualTo(400);
        assertThat(answer.get("description").asText()).isEqualTo("sandbox: say: key \"k1\" was used for another"
                + " message (bot 123, chat 42; expected a new key for each message)");
    }

    @Test
    void theVerdictWaitsUntilEveryMessageIsAnswered() throws Exception {
        try (EchoBot bot = new EchoBot(server, "123:s")) {
            control("POST", "say", Map.of("bot", 123, "chat", 42, "text", "ping"));

            JsonNode verdict = control("GET", "verdict", Map.of("wait_ms", 10_000));

            assertThat(verdict.at("/result/passed").asBoolean()).as(verdict.toString()).isTrue();
            assertThat(verdict.at("/result/answered/figures/answered").asLong()).isEqualTo(1);
            assertThat(verdict.at("/result/bots/0/botId").asLong()).isEqualTo(123);
        }
    }

    @Test
    void aVerdictResetByHttpStartsTheCountsAfresh() throws Exception {
        control("POST", "say", Map.of("bot", 123, "chat", 42, "text", "never answered"));

        JsonNode fresh = control("POST", "verdict/reset", Map.of());

        assertThat(fresh.at("/result/passed").asBoolean()).isTrue();
        assertThat(fresh.at("/result/answered/figures/said").asLong()).isZero();
    }

    @Test
    void anUnknownEndpointListsTheKnownOnes() throws Exception {
        JsonNode answer = control("GET", "nope", Map.of());

        assertThat(answer.get("error_code").asInt()).isEqualTo(404);
        assertThat(answer.get("description").asText()).startsWith("Not Found: no sandbox endpoint /sandbox/nope");
    }

    @Test
    void aStateChangeByGetIsRefused() throws Exception {
        JsonNode answer = control("GET", "say", Map.of("bot", 1, "chat", 2, "text", "x"));

        assertThat(answer.get("description").asText()).isEqualTo("/sandbox/say changes state: use POST");
    }
}

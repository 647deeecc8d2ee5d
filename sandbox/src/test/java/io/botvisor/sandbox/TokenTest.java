package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TokenTest {

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final SandboxServer server = SandboxServer.start(SandboxConfig.defaults().withVerbose(true)
            .withLog(log::add));

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void aMalformedTokenIsUnauthorized() throws Exception {
        ApiClient.Answer answer = new ApiClient(server, "0123:secret").call("getMe", Map.of());

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.description()).isEqualTo("Unauthorized: invalid token specified");
    }

    @Test
    void aPathWithoutATokenIsNotFound() throws Exception {
        ApiClient.Answer answer = new ApiClient(server, "").call("getMe", Map.of());

        assertThat(answer.status()).isEqualTo(404);
    }

    @Test
    void aRevokedTokenIsUnauthorized() throws Exception {
        ApiClient bot = new ApiClient(server, "123:secret");
        assertThat(bot.call("getMe", Map.of()).status()).isEqualTo(200);

        server.revoke(123);

        ApiClient.Answer answer = bot.call("getMe", Map.of());
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.description()).isEqualTo("Unauthorized");
    }

    @Test
    void aTokenRevokedThatWayAnswersGetMeNotFound() throws Exception {
        ApiClient bot = new ApiClient(server, "123:secret");
        bot.call("getMe", Map.of());

        server.revokeWithNotFoundOnGetMe(123);

        assertThat(bot.call("getMe", Map.of()).status()).isEqualTo(404);
        assertThat(bot.call("getUpdates", Map.of()).status()).isEqualTo(401);
    }

    @Test
    void anotherSecretForTheSameBotIsUnauthorized() throws Exception {
        new ApiClient(server, "123:secret").call("getMe", Map.of());

        assertThat(new ApiClient(server, "123:other").call("getMe", Map.of()).status()).isEqualTo(401);
    }

    @Test
    void aServerForRegisteredTokensRefusesOthers() throws Exception {
        try (SandboxServer strict = SandboxServer.start(SandboxConfig.defaults().withAcceptAnyToken(false)
                .withLog(line -> { }))) {
            strict.register("5:known");

            assertThat(new ApiClient(strict, "5:known").call("getMe", Map.of()).status()).isEqualTo(200);
            assertThat(new ApiClient(strict, "6:stranger").call("getMe", Map.of()).status()).isEqualTo(401);
        }
    }

    @Test
    void anUnknownMethodIsNotFound() throws Exception {
        assertThat(new ApiClient(server, "123:secret").call("fooBar", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void theLogNeverHoldsATokensSecret() throws Exception {
        new ApiClient(server, "123:topSecret-42").call("fooBar", Map.of());
        new ApiClient(server, "123:topSecret-42").call("getMe", Map.of());

        Await.until("the unknown method's line", () -> log.stream().anyMatch(l -> l.contains("fooBar (POST")));
        assertThat(log).as("the path was logged, so a leak would show").anyMatch(l -> l.contains("/bot123:***/fooBar"));
        assertThat(log).noneMatch(l -> l.contains("topSecret"));
    }

    @Test
    void theStartLineGivesTheUrl() {
        assertThat(log.get(0)).isEqualTo("sandbox: Bot API server on " + server.url() + " (control endpoints under "
                + server.url() + "/sandbox/)");
    }

    @Test
    void redactHidesTheSecretAndKeepsTheBotId() {
        assertThat(Redact.tokens("GET http://x/bot123:AAE3b-k_z/getMe and 456:abc"))
                .isEqualTo("GET http://x/bot123:***/getMe and 456:***");
        assertThat(Redact.tokens("http://127.0.0.1:8081 at 23:19:34")).isEqualTo("http://127.0.0.1:8081 at 23:19:34");
    }
}

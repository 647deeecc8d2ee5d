package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BasicsTest {

    private final SandboxServer server = SandboxServer.start(SandboxConfig.defaults().withLog(line -> { }));
    private final ApiClient bot = new ApiClient(server, "123:secret");

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void getMeAnswersTheTokensBotId() throws Exception {
        ApiClient.Answer me = bot.call("getMe", Map.of());

        assertThat(me.status()).isEqualTo(200);
        assertThat(me.body().get("ok").asBoolean()).isTrue();
        assertThat(me.result().get("id").asLong()).isEqualTo(123);
        assertThat(me.result().get("is_bot").asBoolean()).isTrue();
        assertThat(me.result().get("username").asText()).isEqualTo("sandbox_123_bot");
    }

    @Test
    void aSaidMessageIsAnUpdateAndTheReplyIsRecorded() throws Exception {
        UserEvent said = server.say(123, 42, "hello");

        ApiClient.Answer updates = bot.get("getUpdates", Map.of("offset", 0, "timeout", 0));
        assertThat(updates.result()).hasSize(1);
        assertThat(updates.result().get(0).get("update_id").asLong()).isEqualTo(said.updateId());
        assertThat(updates.result().get(0).at("/message/text").asText()).isEqualTo("hello");
        assertThat(updates.result().get(0).at("/message/chat/id").asLong()).isEqualTo(42);

        ApiClient.Answer reply = bot.postForm("sendMessage",
                Map.of("chat_id", 42, "text", "hi back", "reply_to_message_id", said.messageId()));
        assertThat(reply.result().get("message_id").asLong()).isEqualTo(said.messageId() + 1);

        List<BotMessage> sent = server.awaitSent(123, 42, 1, Duration.ofSeconds(5));
        assertThat(sent).extracting(BotMessage::text).containsExactly("hi back");
        assertThat(sent.get(0).replyToMessageId()).isEqualTo(said.messageId());
    }

    @Test
    void eachBotHasItsOwnQueueAndPoll() throws Exception {
        ApiClient other = new ApiClient(server, "456:other");
        CompletableFuture<ApiClient.Answer> parked =
                other.callAsync("getUpdates", Map.of("timeout", 30));
        Await.polled(server, 456, 1);

        server.say(123, 42, "for bot 123");
        ApiClient.Answer mine = bot.call("getUpdates", Map.of("timeout", 30));

        assertThat(mine.result()).hasSize(1);
        assertThat(parked).as("bot 456's poll neither woken nor ended").isNotDone();
        assertThat(server.pendingUpdateCount(456)).isZero();
    }

    @Test
    void aBodyThatIsNotJsonIsABadRequest() throws Exception {
        HttpResponse<String> answer = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(HttpRequest.newBuilder(URI.create(server.url() + "/bot123:secret/getMe"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{not json")).build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("Bad Request: the JSON body does not parse");
    }
}

package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
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
}

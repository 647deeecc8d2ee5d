package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SendTest {

    private final SandboxServer server = SandboxServer.start(SandboxConfig.defaults().withLog(line -> { }));
    private final ApiClient bot = new ApiClient(server, "123:secret");

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void aSendToAChatTheBotNeverSawIsChatNotFound() throws Exception {
        ApiClient.Answer answer = bot.call("sendMessage", Map.of("chat_id", 777, "text", "hi"));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.description()).isEqualTo("Bad Request: chat not found");
        assertThat(server.sent(123, 777)).isEmpty();
    }

    @Test
    void messageIdsIncreasePerChat() throws Exception {
        server.say(123, 42, "a");
        server.say(123, 43, "b");

        long first = bot.call("sendMessage", Map.of("chat_id", 42, "text", "1")).result().get("message_id").asLong();
        long second = bot.call("sendMessage", Map.of("chat_id", 42, "text", "2")).result().get("message_id").asLong();
        long other = bot.call("sendMessage", Map.of("chat_id", 43, "text", "3")).result().get("message_id").asLong();

        assertThat(first).isEqualTo(2);
        assertThat(second).isEqualTo(3);
        assertThat(other).isEqualTo(2);
    }

    @Test
    void aSendToAMigratedGroupAnswersTheSupergroupsId() throws Exception {
        server.say(123, -555, 42, "in the group");

        long supergroup = server.migrate(123, -555);
        ApiClient.Answer answer = bot.call("sendMessage", Map.of("chat_id", -555, "text", "hi"));

        assertThat(supergroup).isLessThan(Integer.MIN_VALUE);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.description()).isEqualTo("Bad Request: group chat was upgraded to a supergroup chat");
        assertThat(answer.body().at("/parameters/migrate_to_chat_id").asLong()).isEqualTo(supergroup);
        assertThat(bot.call("sendMessage", Map.of("chat_id", supergroup, "text", "hi")).status()).isEqualTo(200);
    }

    @Test
    void aMigrationIsAnUpdateInTheOldGroup() throws Exception {
        server.say(123, -555, 42, "in the group");
        long supergroup = server.migrate(123, -555);

        ApiClient.Answer updates = bot.call("getUpdates", Map.of());

        assertThat(updates.result()).hasSize(3);
        assertThat(updates.result().get(1).at("/message/migrate_to_chat_id").asLong()).isEqualTo(supergroup);
        assertThat(updates.result().get(2).at("/message/migrate_from_chat_id").asLong()).isEqualTo(-555);
    }

    @Test
    void aCommandCarriesABotCommandEntity() throws Exception {
        server.say(123, 42, "/persona Ada");

        ApiClient.Answer updates = bot.call("getUpdates", Map.of());

        assertThat(updates.result().get(0).at("/message/entities/0/type").asText()).isEqualTo("bot_command");
        assertThat(updates.result().get(0).at("/message/entities/0/length").asInt()).isEqualTo(8);
    }

    @Test
    void aGroupMessageNamesItsSender() throws Exception {
        server.say(123, -555, 42, "hello all");

        ApiClient.Answer updates = bot.call("getUpdates", Map.of());

        assertThat(updates.result().get(0).at("/message/from/id").asLong()).isEqualTo(42);
        assertThat(updates.result().get(0).at("/message/chat/type").asText()).isEqualTo("group");
    }

    @Test
    void replyParametersAndAFormsReplyMarkupAreTaken() throws Exception {
        UserEvent said = server.say(123, 42, "menu?");

        ApiClient.Answer answer = bot.postForm("sendMessage", Map.of("chat_id", 42, "text", "pick",
                "parse_mode", "HTML", "reply_parameters", "{\"message_id\":" + said.messageId() + "}",
                "reply_markup", "{\"inline_keyboard\":[[{\"text\":\"A\",\"callback_data\":\"a\"}]]}"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.result().at("/reply_to_message/message_id").asLong()).isEqualTo(said.messageId());
        assertThat(answer.result().at("/reply_markup/inline_keyboard/0/0/callback_data").asText()).isEqualTo("a");
    }

    @Test
    void aReplyToAMissingMessageIsRefused() throws Exception {
        server.say(123, 42, "x");

        ApiClient.Answer answer = bot.call("sendMessage", Map.of("chat_id", 42, "text", "y",
                "reply_to_message_id", 99));

        assertThat(answer.description()).isEqualTo("Bad Request: message to be replied not found");
    }

    @Test
    void aReplyToAMessageTheChatNoLongerKeepsIsAcceptedWithoutItsCopy() throws Exception {
        try (SandboxServer small = SandboxServer.start(SandboxConfig.defaults().withChatHistory(2)
                .withLog(line -> { }))) {
            ApiClient client = new ApiClient(small, "5:s");
            UserEvent first = small.say(5, 42, "first");
            small.say(5, 42, "second");
            small.say(5, 42, "third");

            ApiClient.Answer answer = client.call("sendMessage", Map.of("chat_id", 42, "text", "late",
                    "reply_to_message_id", first.messageId()));

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.result().has("reply_to_message")).isFalse();
            assertThat(small.sent(5, 42)).extracting(BotMessage::replyToMessageId).containsExactly(first.messageId());
        }
    }

    @Test
    void aPressedButtonIsACallbackQueryAnsweredOnce() throws Exception {
        server.say(123, 42, "menu?");
        long menu = bot.call("sendMessage", Map.of("chat_id", 42, "text", "pick",
                "reply_markup", Map.of("inline_keyboard", List.of(List.of(Map.of("text", "A", "callback_data", "a"))))))
                .result().get("message_id").asLong();
        bot.call("getUpdates", Map.of("offset", -1));

        server.press(123, 42, 42, menu, "a");

        ApiClient.Answer updates = bot.call("getUpdates", Map.of("offset", server.nextUpdateId(123) - 1));
        String id = updates.result().get(0).at("/callback_query/id").asText();
        assertThat(updates.result().get(0).at("/callback_query/data").asText()).isEqualTo("a");
        assertThat(updates.result().get(0).at("/callback_query/message/message_id").asLong()).isEqualTo(menu);
        assertThat(bot.call("answerCallbackQuery", Map.of("callback_query_id", id)).status()).isEqualTo(200);
        assertThat(bot.call("answerCallbackQuery", Map.of("callback_query_id", id)).description())
                .isEqualTo("Bad Request: query is too old and response timeout expired or query ID is invalid");
    }

    @Test
    void anEditChangesTheTextTheSandboxShows() throws Exception {
        server.say(123, 42, "x");
        long id = bot.call("sendMessage", Map.of("chat_id", 42, "text", "draft")).result().get("message_id").asLong();

        ApiClient.Answer edited = bot.call("editMessageText", Map.of("chat_id", 42, "message_id", id, "text", "final"));

        assertThat(edited.result().get("text").asText()).isEqualTo("final");
        assertThat(server.sent(123, 42)).extracting(BotMessage::text, BotMessage::editCount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("final", 1));
    }

    @Test
    void aChatActionIsAccepted() throws Exception {
        server.say(123, 42, "x");

        assertThat(bot.get("sendChatAction", Map.of("chat_id", 42, "action", "typing")).result().asBoolean()).isTrue();
    }

    @Test
    void sayingInAPrivateChatAsAnotherUserIsRefused() {
        assertThatThrownBy(() -> server.say(123, 42, 43, "hi"))
                .hasMessage("sandbox: say: chat 42 is a private chat, so the user is 42, not 43 (use a negative chat"
                        + " id for a group)");
    }
}

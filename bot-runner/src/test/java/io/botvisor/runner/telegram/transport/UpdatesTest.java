package io.botvisor.runner.telegram.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpdatesTest {
    private final ObjectMapper json = new ObjectMapper();

    private List<IncomingUpdate> parse(String result) throws Exception {
        return Updates.parse(json.readTree(result));
    }

    private static List<IncomingUpdate> batch(long... ids) {
        return java.util.Arrays.stream(ids).mapToObj(id -> new IncomingUpdate(id, "message", 1L, "{}")).toList();
    }

    @Test
    void messageHasItsKindAndChat() throws Exception {
        List<IncomingUpdate> updates = parse("[{\"update_id\":10,\"message\":{\"message_id\":1,"
                + "\"chat\":{\"id\":-1001234567890123,\"type\":\"supergroup\"},\"text\":\"hi\"}}]");
        assertThat(updates).singleElement().satisfies(u -> {
            assertThat(u.updateId()).isEqualTo(10);
            assertThat(u.kind()).isEqualTo("message");
            assertThat(u.chatId()).isEqualTo(-1001234567890123L);
            assertThat(json.readTree(u.json()).path("message").path("text").asText()).isEqualTo("hi");
        });
    }

    @Test
    void callbackQueryTakesTheChatOfItsMessage() throws Exception {
        assertThat(parse("[{\"update_id\":11,\"callback_query\":{\"id\":\"q\",\"data\":\"x\","
                + "\"message\":{\"message_id\":5,\"chat\":{\"id\":42}}}}]"))
                .singleElement().satisfies(u -> {
                    assertThat(u.kind()).isEqualTo("callback_query");
                    assertThat(u.chatId()).isEqualTo(42L);
                });
    }

    @Test
    void inlineQueryHasNoChat() throws Exception {
        assertThat(parse("[{\"update_id\":12,\"inline_query\":{\"id\":\"q\",\"query\":\"x\"}}]"))
                .singleElement().satisfies(u -> {
                    assertThat(u.kind()).isEqualTo("inline_query");
                    assertThat(u.chatId()).isNull();
                });
    }

    @Test
    void resultWithoutUpdateIdIsMalformed() {
        assertThatThrownBy(() -> parse("[{\"message\":{}}]")).isInstanceOf(Updates.MalformedException.class)
                .hasMessage("getUpdates result holds an update without a numeric update_id");
    }

    @Test
    void resultThatIsNotAnArrayIsMalformed() {
        assertThatThrownBy(() -> parse("{\"update_id\":1}")).isInstanceOf(Updates.MalformedException.class);
    }

    @Test
    void allRecordedConfirmsPastTheLast() {
        assertThat(Updates.nextOffset(0, batch(5, 6, 9), 3)).isEqualTo(10);
    }

    @Test
    void partlyRecordedConfirmsOnlyTheRecordedPrefix() {
        assertThat(Updates.nextOffset(5, batch(5, 6, 9), 2)).isEqualTo(7);
    }

    @Test
    void nothingRecordedKeepsTheOffset() {
        assertThat(Updates.nextOffset(5, batch(5, 6, 9), 0)).isEqualTo(5);
    }

    @Test
    void idsThatRestartLowerAreFollowedNotIgnored() {
        // After a week without updates Telegram starts at a random id, possibly below the last one seen.
        assertThat(Updates.nextOffset(900_000, batch(1_234, 1_235), 2)).isEqualTo(1_236);
    }

    @Test
    void sinkClaimingMoreThanItGotIsRejected() {
        assertThatThrownBy(() -> Updates.nextOffset(0, batch(1), 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the update sink said it recorded 2 of 1 updates (expected 0..1)");
    }
}

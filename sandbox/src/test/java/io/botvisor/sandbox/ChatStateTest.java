package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChatStateTest {

    private static ChatState chatWith(int kept, long messages) {
        ChatState chat = new ChatState(42, kept);
        for (long i = 0; i < messages; i++) {
            chat.add(new ChatState.Stored(chat.takeMessageId(), 42, "m", 0, 0));
        }
        return chat;
    }

    @ParameterizedTest(name = "keeping {0}, after {1} messages the oldest kept is {2}")
    @CsvSource({
        "20, 50, 31",
        "20, 20, 1",
        "10000, 100, 1",
        "16, 17, 2",
        "100, 1000, 901",
    })
    void aChatKeepsTheMessagesOfItsLastIds(int kept, long messages, long oldestKept) {
        ChatState chat = chatWith(kept, messages);

        assertThat(chat.messages()).extracting(s -> s.messageId)
                .containsExactlyElementsOf(LongStream.rangeClosed(oldestKept, messages).boxed().toList());
        assertThat(chat.find(oldestKept)).isNotNull();
        assertThat(chat.forgot(oldestKept - 1)).isEqualTo(oldestKept > 1);
        assertThat(chat.forgot(messages + 1)).as("a message never sent was not forgotten").isFalse();
    }
}

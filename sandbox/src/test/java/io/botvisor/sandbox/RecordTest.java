package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordTest {

    private final ManualClock clock = new ManualClock();
    private final SandboxServer server =
            SandboxServer.start(SandboxConfig.defaults().withClock(clock).withLog(line -> { }));
    private final ApiClient bot = new ApiClient(server, "123:secret");

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void everyCallIsRecordedWithItsParamsAndAnswer() throws Exception {
        server.say(123, 42, "x");
        bot.call("sendMessage", Map.of("chat_id", 42, "text", "y"));

        Call call = server.record().calls(123, "sendMessage").get(0);
        assertThat(call.params().get("text").asText()).isEqualTo("y");
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.delivery()).isEqualTo(Delivery.DELIVERED);
        assertThat(call.arrivedAtMillis()).isEqualTo(clock.millis());
    }

    @Test
    void theReportCountsAnsweredMessagesDuplicatesAndLatency() throws Exception {
        UserEvent a = server.say(123, 42, "a");
        server.say(123, 43, "b");
        server.say(123, 44, "c");
        clock.advance(java.time.Duration.ofMillis(40));
        bot.call("sendMessage", Map.of("chat_id", 42, "text", "a", "reply_to_message_id", a.messageId()));
        clock.advance(java.time.Duration.ofMillis(60));
        bot.call("sendMessage", Map.of("chat_id", 43, "text", "b"));
        bot.call("sendMessage", Map.of("chat_id", 42, "text", "a", "reply_to_message_id", a.messageId()));

        LatencyReport report = server.report(123, 0);

        assertThat(report.sent()).isEqualTo(3);
        assertThat(report.answered()).isEqualTo(2);
        assertThat(report.duplicates()).isEqualTo(1);
        assertThat(report.p50Millis()).isEqualTo(40);
        assertThat(report.p99Millis()).isEqualTo(100);
    }

    @Test
    void aReplyAfterSinceToAMessageBeforeSinceIsNeitherAnsweredNorADuplicate() throws Exception {
        UserEvent before = server.say(123, 42, "old");
        clock.advance(java.time.Duration.ofMillis(10));
        long since = clock.millis();
        UserEvent after = server.say(123, 42, "new");
        bot.call("sendMessage", Map.of("chat_id", 42, "text", "old", "reply_to_message_id", before.messageId()));
        bot.call("sendMessage", Map.of("chat_id", 42, "text", "new", "reply_to_message_id", after.messageId()));

        LatencyReport report = server.report(123, since);

        assertThat(report.sent()).isEqualTo(1);
        assertThat(report.answered()).isEqualTo(1);
        assertThat(report.duplicates()).isZero();
    }

    @Test
    void aReplyWithoutReplyToAfterSinceToAMessageBeforeSinceIsNotADuplicate() throws Exception {
        server.say(123, 42, "old");
        clock.advance(java.time.Duration.ofMillis(10));
        long since = clock.millis();
        server.say(123, 42, "new");
        bot.call("sendMessage", Map.of("chat_id", 42, "text", "old"));
        clock.advance(java.time.Duration.ofMillis(5));
        bot.call("sendMessage", Map.of("chat_id", 42, "text", "new"));

        LatencyReport report = server.report(123, since);

        assertThat(report.sent()).isEqualTo(1);
        assertThat(report.answered()).isEqualTo(1);
        assertThat(report.duplicates()).isZero();
        assertThat(report.p50Millis()).isEqualTo(5);
    }

    @Test
    void aLimitedRecordKeepsTheLastCalls() throws Exception {
        try (SandboxServer limited = SandboxServer.start(SandboxConfig.defaults().withRecordLimit(3)
                .withLog(line -> { }))) {
            ApiClient client = new ApiClient(limited, "5:s");
            for (int i = 0; i < 5; i++) {
                client.call("getMe", Map.of());
            }

            assertThat(limited.record().calls()).extracting(Call::seq).containsExactly(3L, 4L, 5L);
        }
    }
}

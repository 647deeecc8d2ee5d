package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FaultTest {

    private final ManualClock clock = new ManualClock();
    private final SandboxServer server =
            SandboxServer.start(SandboxConfig.defaults().withClock(clock).withLog(line -> { }));
    private final ApiClient bot = new ApiClient(server, "123:secret");

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void a429CarriesRetryAfter() throws Exception {
        server.say(123, 42, "x");
        server.injectFault(FaultRule.next(1, Fault.tooManyRequests(7)).forMethod("sendMessage"));

        ApiClient.Answer answer = bot.call("sendMessage", Map.of("chat_id", 42, "text", "y"));

        assertThat(answer.status()).isEqualTo(429);
        assertThat(answer.description()).isEqualTo("Too Many Requests: retry after 7");
        assertThat(answer.body().at("/parameters/retry_after").asInt()).isEqualTo(7);
        assertThat(server.sent(123, 42)).isEmpty();
    }

    @Test
    void aCallInsideA429WindowIsRecordedAsAViolation() throws Exception {
        server.injectFault(FaultRule.next(1, Fault.tooManyRequests(5)).forBot(123));
        bot.call("getMe", Map.of());

        clock.advance(Duration.ofMillis(4999));
        bot.call("getMe", Map.of());
        clock.advance(Duration.ofMillis(1));
        bot.call("getMe", Map.of());

        assertThat(server.record().calls(123)).extracting(Call::insideRetryWindow).containsExactly(false, true, false);
        assertThat(server.record().retryAfterViolations()).extracting(Call::seq).containsExactly(2L);
    }

    @Test
    void aViolationNamesThe429ItBroke() throws Exception {
        server.injectFault(FaultRule.next(1, Fault.tooManyRequests(5)).forBot(123));
        bot.call("getMe", Map.of());

        clock.advance(Duration.ofMillis(300));
        bot.call("getMe", Map.of());

        assertThat(server.verdict().retryAfter().first()).singleElement().satisfies(o -> assertThat(o.what())
                .startsWith("getMe arrived inside the window of a 429's retry_after: 300 ms after the 429 answered to "
                        + "call 1 (getMe) was written"));
    }

    @Test
    void aFaultForOneBotLeavesTheOthersAlone() throws Exception {
        server.injectFault(FaultRule.next(1, Fault.status(500)).forBot(999));

        assertThat(bot.call("getMe", Map.of()).status()).isEqualTo(200);
        assertThat(new ApiClient(server, "999:x").call("getMe", Map.of()).description())
                .isEqualTo("Internal Server Error");
    }

    @Test
    void a502IsAProxysPageNotTheEnvelope() throws Exception {
        server.injectFault(FaultRule.next(1, Fault.status(502)));

        ApiClient.Answer answer = bot.call("getMe", Map.of());

        assertThat(answer.status()).isEqualTo(502);
        assertThat(answer.body()).isNull();
        assertThat(answer.raw()).contains("502 Bad Gateway");
    }

    @Test
    void anInjected401IsUnauthorized() throws Exception {
        server.injectFault(FaultRule.next(1, Fault.status(401)).forMethod("getMe"));

        assertThat(bot.call("getMe", Map.of()).status()).isEqualTo(401);
        assertThat(bot.call("getMe", Map.of()).status()).as("only the next call").isEqualTo(200);
    }

    @Test
    void aConnectionDroppedBeforeApplyingSendsNothing() throws Exception {
        server.say(123, 42, "x");
        server.injectFault(FaultRule.next(1, Fault.dropBeforeApplying()).forMethod("sendMessage"));

        assertThatThrownBy(() -> bot.call("sendMessage", Map.of("chat_id", 42, "text", "y")))
                .isInstanceOf(IOException.class);

        Await.until("the drop recorded", () -> server.record().calls(123, "sendMessage").get(0).delivery()
                == Delivery.DROPPED_BEFORE_APPLYING);
        assertThat(server.sent(123, 42)).isEmpty();
    }

    @Test
    void aConnectionDroppedAfterApplyingDeliveredTheMessage() throws Exception {
        server.say(123, 42, "x");
        server.injectFault(FaultRule.next(1, Fault.dropAfterApplying()).forMethod("sendMessage"));

        assertThatThrownBy(() -> bot.call("sendMessage", Map.of("chat_id", 42, "text", "y")))
                .isInstanceOf(IOException.class);

        assertThat(server.sent(123, 42)).extracting(BotMessage::text).containsExactly("y");
        Await.until("the drop recorded", () -> server.record().calls(123, "sendMessage").get(0).delivery()
                == Delivery.DROPPED_AFTER_APPLYING);
        assertThat(server.record().calls(123, "sendMessage").get(0).status()).isEqualTo(200);
    }

    @Test
    void aDelayedResponseComesWhenTheDelayHasPassed() throws Exception {
        server.injectFault(FaultRule.next(1, Fault.delay(Duration.ofSeconds(2))));

        CompletableFuture<ApiClient.Answer> slow = bot.callAsync("getMe", Map.of());
        Await.until("the call handled", () -> server.record().handledCount(123, "getMe") == 1);
        assertThat(slow).isNotDone();
        clock.advance(Duration.ofSeconds(2));

        assertThat(slow.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }

    @Test
    void aFractionOfCallsFailsTheSameWayForTheSameSeed() throws Exception {
        assertThat(statuses(7)).isEqualTo(statuses(7)).contains(200, 500);
    }

    private List<Integer> statuses(long seed) throws Exception {
        try (SandboxServer seeded = SandboxServer.start(SandboxConfig.defaults().withSeed(seed).withLog(l -> { }))) {
            seeded.injectFault(FaultRule.fraction(0.3, Fault.status(500)));
            ApiClient client = new ApiClient(seeded, "5:s");
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                out.add(client.call("getMe", Map.of()).status());
            }
            return out;
        }
    }

    @Test
    void aBadFaultRuleSaysWhatIsWrong() {
        assertThatThrownBy(() -> FaultRule.fraction(1.5, Fault.status(500)))
                .hasMessage("fault rule: fraction 1.5 is not within 0..1");
        assertThatThrownBy(() -> Fault.status(200))
                .hasMessage("fault: status 200 is not an error status (expected 400-599)");
    }
}

package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The getUpdates rules of the design notes, on a manual clock: no test waits for real seconds. */
class GetUpdatesTest {

    private final ManualClock clock = new ManualClock();
    private final SandboxServer server =
            SandboxServer.start(SandboxConfig.defaults().withClock(clock).withLog(line -> { }));
    private final ApiClient bot = new ApiClient(server, "123:secret");

    @AfterEach
    void close() {
        server.close();
    }

    private static List<Long> ids(ApiClient.Answer answer) {
        List<Long> ids = new ArrayList<>();
        for (JsonNode u : answer.result()) {
            ids.add(u.get("update_id").asLong());
        }
        return ids;
    }

    private List<Long> say(int n) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(server.say(123, 42, "m" + i).updateId());
        }
        return ids;
    }

    /** Polls of different offsets, a second apart: no anti-hot-loop rule interferes. */
    private ApiClient.Answer poll(long offset, int limit) throws Exception {
        clock.advance(Duration.ofSeconds(4));
        return bot.call("getUpdates", Map.of("offset", offset, "limit", limit, "timeout", 0));
    }

    @Test
    void updateIdsIncreaseByOne() throws Exception {
        List<Long> ids = say(3);

        assertThat(ids.get(1)).isEqualTo(ids.get(0) + 1);
        assertThat(ids.get(2)).isEqualTo(ids.get(0) + 2);
    }

    @Test
    void anOffsetDeletesEveryUpdateBelowIt() throws Exception {
        List<Long> ids = say(3);

        assertThat(ids(poll(ids.get(2), 100))).containsExactly(ids.get(2));
        assertThat(ids(poll(0, 100))).as("offset 0 starts at the oldest kept update").containsExactly(ids.get(2));
        assertThat(server.pendingUpdateCount(123)).isEqualTo(1);
    }

    @Test
    void aParkedPollWakesWhenAnUpdateArrives() throws Exception {
        CompletableFuture<ApiClient.Answer> parked = bot.callAsync("getUpdates", Map.of("timeout", 30));
        Await.polled(server, 123, 1);

        long id = server.say(123, 42, "wake up").updateId();

        ApiClient.Answer answer = parked.get(10, TimeUnit.SECONDS);
        assertThat(ids(answer)).containsExactly(id);
    }

    @Test
    void limitIsClampedToOneThroughAHundred() throws Exception {
        say(101);

        assertThat(poll(0, 0).result()).as("limit 0 -> 1").hasSize(1);
        assertThat(poll(0, 500).result()).as("limit 500 -> 100").hasSize(100);
    }

    @Test
    void timeoutIsClampedToFiftySeconds() throws Exception {
        CompletableFuture<ApiClient.Answer> parked = bot.callAsync("getUpdates", Map.of("timeout", 120));
        Await.polled(server, 123, 1);

        clock.advance(Duration.ofSeconds(49));
        assertThat(parked).as("still parked after 49 s").isNotDone();
        clock.advance(Duration.ofSeconds(1));

        assertThat(parked.get(10, TimeUnit.SECONDS).result()).isEmpty();
    }

    @Test
    void aSecondParkedPollEndsTheFirstWith409() throws Exception {
        CompletableFuture<ApiClient.Answer> first = bot.callAsync("getUpdates", Map.of("offset", 1, "timeout", 30));
        Await.polled(server, 123, 1);

        CompletableFuture<ApiClient.Answer> second = bot.callAsync("getUpdates", Map.of("offset", 2, "timeout", 30));

        ApiClient.Answer ended = first.get(10, TimeUnit.SECONDS);
        assertThat(ended.status()).isEqualTo(409);
        assertThat(ended.description()).isEqualTo("Conflict: terminated by other getUpdates request; make sure that"
                + " only one bot instance is running");
        Await.polled(server, 123, 2);
        assertThat(second).as("the newer poll keeps waiting").isNotDone();
        assertThat(server.record().calls(123, "getUpdates").get(0).endedByOtherPoll()).isTrue();
    }

    @Test
    void a409WithinThreeSecondsOfTheLastIsHeldBackThreeSeconds() throws Exception {
        CompletableFuture<ApiClient.Answer> first = bot.callAsync("getUpdates", Map.of("offset", 1, "timeout", 30));
        Await.polled(server, 123, 1);
        CompletableFuture<ApiClient.Answer> second = bot.callAsync("getUpdates", Map.of("offset", 2, "timeout", 30));
        assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(409);
        Await.polled(server, 123, 2);

        CompletableFuture<ApiClient.Answer> third = bot.callAsync("getUpdates", Map.of("offset", 3, "timeout", 30));
        Await.polled(server, 123, 3);
        assertThat(second).as("its 409 waits for the 3 s window").isNotDone();

        clock.advance(Duration.ofSeconds(3));
        assertThat(second.get(10, TimeUnit.SECONDS).status()).isEqualTo(409);
        assertThat(third).isNotDone();
    }

    @Test
    void aPollWithTimeoutZeroEndsNoParkedPoll() throws Exception {
        CompletableFuture<ApiClient.Answer> parked = bot.callAsync("getUpdates", Map.of("offset", 1, "timeout", 30));
        Await.polled(server, 123, 1);

        ApiClient.Answer quick = bot.call("getUpdates", Map.of("offset", 2, "timeout", 0));

        assertThat(quick.status()).isEqualTo(200);
        assertThat(quick.result()).isEmpty();
        assertThat(parked).isNotDone();
        assertThat(server.record().maxConcurrentPolls(123)).as("two open polls seen, so the check can see them")
                .isEqualTo(2);
    }

    @Test
    void theSameOffsetAgainWithinThreeSecondsIsMadeToWait() throws Exception {
        assertThat(bot.call("getUpdates", Map.of("offset", 5, "timeout", 0)).result()).isEmpty();

        CompletableFuture<ApiClient.Answer> again = bot.callAsync("getUpdates", Map.of("offset", 5, "timeout", 0));
        Await.polled(server, 123, 2);
        clock.advance(Duration.ofMillis(2999));
        assertThat(again).isNotDone();
        clock.advance(Duration.ofMillis(1));

        assertThat(again.get(10, TimeUnit.SECONDS).result()).isEmpty();
    }

    @Test
    void theSameOffsetAgainWithinHalfASecondGetsOneUpdate() throws Exception {
        List<Long> ids = say(3);
        assertThat(ids(bot.call("getUpdates", Map.of("offset", ids.get(0))))).hasSize(3);

        clock.advance(Duration.ofMillis(499));
        assertThat(ids(bot.call("getUpdates", Map.of("offset", ids.get(0))))).containsExactly(ids.get(0));
    }

    @Test
    void aNegativeOffsetTakesTheLastUpdatesAndForgetsTheRest() throws Exception {
        List<Long> ids = say(5);

        assertThat(ids(poll(-2, 100))).containsExactly(ids.get(3), ids.get(4));
        assertThat(server.pendingUpdateCount(123)).isEqualTo(2);
    }

    @Test
    void anOffsetFarAheadIsAnsweredFromTheHeadForgettingNothing() throws Exception {
        List<Long> ids = say(2);

        assertThat(ids(poll(ids.get(1) + 1000, 100))).containsExactly(ids.get(0), ids.get(1));
        assertThat(server.pendingUpdateCount(123)).isEqualTo(2);
    }

    @Test
    void updatesOlderThanADayAreDropped() throws Exception {
        say(1);
        assertThat(server.pendingUpdateCount(123)).isEqualTo(1);

        clock.advance(Duration.ofHours(24).plusSeconds(1));

        assertThat(poll(0, 100).result()).isEmpty();
    }

    @Test
    void aWeekWithoutUpdatesMakesTheNextIdRandom() throws Exception {
        long first = say(1).get(0);
        poll(first + 1, 100);

        clock.advance(Duration.ofDays(8));

        assertThat(say(1).get(0)).isNotEqualTo(first + 1);
    }

    @Test
    void aForcedJumpMakesTheNextIdRandom() {
        long first = say(1).get(0);

        server.jumpNextUpdateId(123);

        long next = say(1).get(0);
        assertThat(next).isNotEqualTo(first + 1);
        assertThat(say(1).get(0)).isEqualTo(next + 1);
    }

    @Test
    void allowedUpdatesLeavesOtherTypesOut() throws Exception {
        poll(0, 100);
        clock.advance(Duration.ofSeconds(4));
        bot.call("getUpdates", Map.of("allowed_updates", List.of("callback_query")));

        server.say(123, 42, "not wanted");

        assertThat(server.pendingUpdateCount(123)).isZero();
    }

    @Test
    void withAWebhookSetGetUpdatesAnswers409UntilDeleteWebhook() throws Exception {
        say(2);
        assertThat(bot.call("setWebhook", Map.of("url", "https://example.invalid/hook")).status()).isEqualTo(200);

        ApiClient.Answer refused = poll(0, 100);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.description()).isEqualTo("Conflict: can't use getUpdates method while webhook is active;"
                + " use deleteWebhook to delete the webhook first");
        ApiClient.Answer info = bot.call("getWebhookInfo", Map.of());
        assertThat(info.result().get("url").asText()).isEqualTo("https://example.invalid/hook");
        assertThat(info.result().get("pending_update_count").asInt()).isEqualTo(2);

        bot.call("deleteWebhook", Map.of("drop_pending_updates", false));

        assertThat(poll(0, 100).result()).hasSize(2);
    }

    @Test
    void deleteWebhookCanDropPendingUpdates() throws Exception {
        say(2);

        bot.call("deleteWebhook", Map.of("drop_pending_updates", true));

        assertThat(poll(0, 100).result()).isEmpty();
    }

    @Test
    void aQuickPollWithTheSameOffsetWithinThreeSecondsEndsAParkedPoll() throws Exception {
        CompletableFuture<ApiClient.Answer> parked = bot.callAsync("getUpdates", Map.of("offset", 7, "timeout", 30));
        Await.polled(server, 123, 1);

        CompletableFuture<ApiClient.Answer> confirm =
                bot.callAsync("getUpdates", Map.of("offset", 7, "limit", 1, "timeout", 0));

        assertThat(parked.get(10, TimeUnit.SECONDS).status()).as("made to wait, the quick poll took over")
                .isEqualTo(409);
        Await.polled(server, 123, 2);
        assertThat(confirm).isNotDone();
    }
}

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
        Await.parked(server, 123, 1);

        long id = server.say(123, 42, "wake up").updateId();

        ApiClient.Answer answer = parked.get(10, TimeUnit.SECONDS);
        assertThat(ids(answer)).containsExactly(id);
    }
}

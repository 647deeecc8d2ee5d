package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The verdict's "no two pollers of one token" check with a second, real process ({@code curl}) as the other poller:
 * live, it overlaps; killed, its parked poll is abandoned, not a poller.
 */
class PollersTest {

    private final ManualClock clock = new ManualClock();
    private final SandboxServer server =
            SandboxServer.start(SandboxConfig.defaults().withClock(clock).withLog(line -> { }));
    private final ApiClient bot = new ApiClient(server, "123:secret");
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void close() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        server.close();
    }

    /** A waiting poll from another process, parked once this returns. */
    private Process pollFromAnotherProcess() throws Exception {
        Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-m", "60",
                server.url() + "/bot123:secret/getUpdates?offset=1&timeout=50")
                .redirectErrorStream(true).start();
        started.add(curl);
        Await.polled(server, 123, 1);
        return curl;
    }

    @Test
    void aPollWhileAnotherProcessPollsIsAnOverlap() throws Exception {
        Process curl = pollFromAnotherProcess();

        bot.callAsync("getUpdates", Map.of("offset", 1, "timeout", 30));
        Await.polled(server, 123, 2);
        Verdict v = server.verdict();

        assertThat(v.pollers().passed()).isFalse();
        assertThat(v.pollers().figures()).containsEntry("overlaps", 1L).containsEntry("maxConcurrentPolls", 2L);
        assertThat(v.pollers().first()).singleElement().satisfies(o -> assertThat(o.what())
                .matches("getUpdates #2 \\(pid \\d+\\) arrived while getUpdates #1 \\(pid " + curl.pid()
                        + "\\) was open"));
    }

    @Test
    void theParkedPollOfAKilledProcessIsAbandonedNotAPoller() throws Exception {
        Process curl = pollFromAnotherProcess();
        int port = server.record().calls(123).get(0).clientPort();
        curl.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Await.until("the server sees the killed client's connection end",
                () -> ClientProbe.of(server.port(), port).gone());

        bot.callAsync("getUpdates", Map.of("offset", 1, "timeout", 30));
        Await.polled(server, 123, 2);
        Await.until("the abandoned poll answered", () -> server.record().calls(123).get(0).status() != 0);
        Verdict v = server.verdict();

        assertThat(v.pollers().passed()).isTrue();
        assertThat(v.pollers().figures()).containsEntry("abandonedPolls", 1L).containsEntry("maxConcurrentPolls", 1L);
        assertThat(v.conflicts().passed()).isTrue();
        assertThat(v.conflicts().figures()).containsEntry("toGoneClients", 1L);
    }

    @Test
    void a409ToAProcessStillThereFailsTheConflictCheck() throws Exception {
        pollFromAnotherProcess();

        bot.callAsync("getUpdates", Map.of("offset", 1, "timeout", 30));
        Await.polled(server, 123, 2);
        Await.until("the first poll answered 409", () -> server.record().calls(123).get(0).status() == 409);
        Verdict v = server.verdict();

        assertThat(v.conflicts().passed()).isFalse();
        assertThat(v.conflicts().first()).singleElement().satisfies(o -> assertThat(o.what())
                .isEqualTo("getUpdates answered 409 (terminated by other getUpdates)"));
    }
}

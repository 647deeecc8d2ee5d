package io.botvisor.supervisor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopTest {

    @Test
    void aTaskThatThrowsStopsTheLoopAndReachesTheCrashHandler() throws Exception {
        CompletableFuture<Throwable> crash = new CompletableFuture<>();
        Loop loop = new Loop(crash::complete);
        loop.start();
        List<String> ran = new ArrayList<>();
        loop.post(() -> {
            throw new IllegalStateException("decision failed for bot 'b' in state RUNNING on Exited[gen=1, code=3]");
        });
        assertThat(crash.get(10, TimeUnit.SECONDS)).hasMessageContaining("bot 'b' in state RUNNING");
        loop.post(() -> ran.add("after"));
        assertThat(ran).as("nothing runs after a crash").isEmpty();
    }

    @Test
    void timersFireInDeadlineOrderAndCancelledOnesNever() throws Exception {
        Loop loop = new Loop(e -> { });
        loop.start();
        List<String> fired = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.post(() -> {
            Loop.Handle cancelled = loop.at(TimeUnit.MILLISECONDS.toNanos(10), 0, () -> fired.add("cancelled"));
            loop.at(TimeUnit.MILLISECONDS.toNanos(40), 0, () -> {
                fired.add("second");
                done.complete(null);
            });
            loop.at(TimeUnit.MILLISECONDS.toNanos(20), 0, () -> fired.add("first"));
            cancelled.cancel();
        });
        done.get(10, TimeUnit.SECONDS);
        CompletableFuture<List<String>> seen = new CompletableFuture<>();
        loop.post(() -> seen.complete(List.copyOf(fired)));
        assertThat(seen.get(10, TimeUnit.SECONDS)).containsExactly("first", "second");
        assertThat(loop.lag().events()).isGreaterThanOrEqualTo(4);
        loop.shutdown();
    }

    @Test
    void slackRoundsADeadlineUpToItsGridSoTimersShareWakeUps() throws Exception {
        Loop loop = new Loop(e -> { });
        loop.start();
        long slack = TimeUnit.MILLISECONDS.toNanos(250);
        CompletableFuture<long[]> dues = new CompletableFuture<>();
        loop.post(() -> dues.complete(new long[] {
            loop.at(TimeUnit.MILLISECONDS.toNanos(10), slack, () -> { }).dueNanos(),
            loop.at(TimeUnit.MILLISECONDS.toNanos(20), slack, () -> { }).dueNanos()}));
        long[] d = dues.get(10, TimeUnit.SECONDS);
        assertThat(d[0] % slack).isZero();
        assertThat(d[1] % slack).isZero();
        loop.shutdown();
    }
}

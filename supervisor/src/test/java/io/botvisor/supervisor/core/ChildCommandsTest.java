package io.botvisor.supervisor.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.Message;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ChildCommands} on a real loop, with slots driven through the decision table. */
class ChildCommandsTest {
    private static final Duration LONG = Duration.ofMinutes(5);
    private final Loop loop = new Loop(e -> { });
    private final Map<String, Slot> slots = new HashMap<>();
    private final List<Message> sent = new ArrayList<>();
    private final ChildCommands commands = new ChildCommands(slots, loop,
            Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC), (bot, gen, m) -> sent.add(m));
    private final Drive b = Drive.runner().in(ChildState.RUNNING);

    ChildCommandsTest() {
        slots.put("b", b.slot());
        loop.start();
    }

    @AfterEach
    void stopLoop() {
        loop.shutdown();
    }

    private <T> T onLoop(Supplier<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.post(() -> result.complete(task.get()));
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void commandGoesToTheCurrentIncarnationWithItsExpiry() throws Exception {
        onLoop(() -> commands.reconfigure("b", Map.of("k", "v"), Duration.ofSeconds(3)));

        assertThat(sent).containsExactly(new Message.ReloadConfig(b.gen(), 1, Map.of("k", "v"), 4_000, 1_000));
    }

    @Test
    void onlyTheBotsOwnReplyFromThatIncarnationCompletesTheCommand() throws Exception {
        CompletableFuture<ChildCommands.Answer> f = onLoop(() -> commands.logLevel("b", "ROOT", "DEBUG", LONG));

        onLoop(() -> {
            commands.onReply("other", new Message.CommandReply(b.gen(), 1, "ok", "forged", 0));
            commands.onReply("b", new Message.CommandReply(b.gen() + 1, 1, "ok", "stale", 0));
            return null;
        });
        assertThat(f).isNotDone();
        onLoop(() -> {
            commands.onReply("b", new Message.CommandReply(b.gen(), 1, "ok", "set\u001b[2J", 0));
            return null;
        });

        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(new ChildCommands.Answer(ChildCommands.Outcome.DONE,
                "set\\u001b[2J"));
    }

    @Test
    void commandWithoutAnAnswerEndsAsNoAnswerAtItsDeadline() throws Exception {
        CompletableFuture<ChildCommands.Answer> f = onLoop(() -> commands.threadDump("b", Duration.ofMillis(50)));

        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(new ChildCommands.Answer(ChildCommands.Outcome.NO_ANSWER,
                "bot 'b' did not answer THREAD_DUMP within 50ms"));
    }

    @Test
    void commandWhoseIncarnationStopsRunningEndsAtOnce() throws Exception {
        CompletableFuture<ChildCommands.Answer> f = onLoop(() -> commands.threadDump("b", LONG));

        b.on(new Event.Control(Event.Command.STOP, "ctl stop"));
        onLoop(() -> {
            slots.put("b", b.slot());
            commands.checkRunning();
            return null;
        });

        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(new ChildCommands.Answer(ChildCommands.Outcome.NO_ANSWER,
                "bot 'b' stopped running before it answered THREAD_DUMP (now STOPPING)"));
    }
}

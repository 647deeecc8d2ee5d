package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.botvisor.sandbox.BotMessage;
import io.botvisor.sandbox.Fault;
import io.botvisor.sandbox.FaultRule;
import io.botvisor.sandbox.SandboxConfig;
import io.botvisor.sandbox.SandboxServer;
import io.botvisor.storage.DbEndpoint;
import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import io.botvisor.supervisor.control.ControlClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handover restart of a Telegram bot, end to end: real child JVMs polling the sandbox, the embedded PostgreSQL
 * holding their inboxes. The new process warms up while the old one serves; one of them polls at any moment.
 */
class HandoverIT {
    private static final String TOKEN = "7002:AAH-handover-it-secret_token";
    private static final long BOT = 7002;
    private static final Duration REPLIES = Duration.ofSeconds(60);
    private static final int CHATS = 3;

    @TempDir
    Path dir;
    private SandboxServer sandbox;

    @BeforeEach
    void startSandbox() {
        sandbox = SandboxServer.start(SandboxConfig.defaults().withPort(0));
        sandbox.register(TOKEN);
    }

    @AfterEach
    void stopSandbox() {
        sandbox.close();
    }

    private String fleet() throws Exception {
        Files.writeString(dir.resolve("echo.env"), "TELEGRAM_BOT_TOKEN=" + TOKEN + "\n");
        return SupervisorProcess.FAST_DEFAULTS + """
                database: { hashPartitions: 4 }
                bots:
                  - id: echo
                    type: echo
                    secretsFile: echo.env
                    telegram:
                      apiUrl: %s
                      pollTimeout: 20s
                      sendLimits: { perChat: 50/s, overall: 200/s }
                """.formatted(sandbox.url());
    }

    /** Says numbered messages round-robin over the chats, one every {@code pace}, until stopped. */
    private final class Chatter implements AutoCloseable {
        final AtomicInteger said = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Chatter(Duration pace) {
            thread = new Thread(() -> {
                while (running.get()) {
                    int i = said.get();
                    sandbox.say(BOT, 1 + i % CHATS, "m" + i);
                    said.incrementAndGet();
                    LockSupport.parkNanos(pace.toNanos()); // the load's pace, not a wait for anything
                }
            }, "chatter");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    @Test
    void aRestartUnderLoadHandsOverWithoutLosingRepeatingOrReorderingAnUpdate() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet())) {
            long first = s.awaitState("echo", "RUNNING").get("pid").asLong();
            int said;
            long second;
            try (Chatter chatter = new Chatter(Duration.ofMillis(20))) {
                s.await("some messages answered before the restart", () -> sandbox.allSent().size() >= 10);
                ControlClient.Result r = s.ctl("restart", "echo");
                assertThat(r.exitCode()).as("%s%n%s", r.output(), s.diagnostics("echo")).isZero();
                second = s.bot("echo").get("pid").asLong();
                assertThat(second).as("a new process serves").isNotEqualTo(first);
                int before = chatter.said.get();
                s.await("messages said after the handover", () -> chatter.said.get() >= before + 10);
                r = s.ctl("restart", "echo");
                assertThat(r.exitCode()).as("%s%n%s", r.output(), s.diagnostics("echo")).isZero();
                int later = chatter.said.get();
                s.await("messages said after the second handover", () -> chatter.said.get() >= later + 10);
            }
            said = countSaid();
            assertThat(s.bot("echo").get("pid").asLong()).isNotEqualTo(second);
            for (long chat = 1; chat <= CHATS; chat++) {
                long c = chat;
                List<String> expected = IntStream.range(0, said).filter(i -> 1 + i % CHATS == c)
                        .mapToObj(i -> "m" + i).toList();
                List<String> replies = sandbox.awaitSent(BOT, chat, expected.size(), REPLIES).stream()
                        .map(BotMessage::text).toList();
                assertThat(replies).as("chat %d: every message answered once, in order", chat)
                        .containsExactlyElementsOf(expected);
            }
            DbEndpoint db = EmbeddedDatabase.running(DbFiles.under(s.stateDir))
                    .orElseThrow(() -> new AssertionError("no embedded server is up"));
            assertThat(SupervisorProcess.query(db, "SELECT count(*) || '/' || count(handled_at) FROM botvisor.updates"))
                    .as("every update recorded once and handled").isEqualTo(said + "/" + said);
            String botLog = Files.readString(s.stateDir.resolve("logs/echo/stderr.log"));
            assertThat(botLog).as("the log shows both handovers").containsSubsequence("handed over at offset",
                    "took over from offset", "handed over at offset", "took over from offset");
            assertThat(botLog).as("no process was told another one polls").doesNotContain("409 Conflict");
            // The old process's abandoned poll may be ended by the new one's (the server does not see it go): one each.
            assertThat(sandbox.record().calls(BOT, "getUpdates").stream().filter(c -> c.status() == 409).count())
                    .isLessThanOrEqualTo(2);
            assertThat(s.log()).contains("bot 'echo' handed over: pid " + second + " serves");
        }
    }

    @Test
    void aReloadThatChangesTheBotHandsItOverToAProcessWithTheNewSpec() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet())) {
            long first = s.awaitState("echo", "RUNNING").get("pid").asLong();
            SupervisorProcess.writeFleet(dir, fleet().replace("pollTimeout: 20s", "pollTimeout: 15s"));
            ControlClient.Result r = s.ctl("reload", "--wait");
            assertThat(r.exitCode()).as("%s%n%s", r.output(), s.diagnostics("echo")).isZero();
            long second = s.bot("echo").get("pid").asLong();
            assertThat(second).isNotEqualTo(first);
            assertThat(s.log()).contains("bot 'echo' restarting by handover (reload", "bot 'echo' handed over: pid "
                    + second + " serves");
            sandbox.say(BOT, 6, "after the reload");
            assertThat(sandbox.awaitSent(BOT, 6, 1, REPLIES)).extracting(BotMessage::text)
                    .containsExactly("after the reload");
            String last = sandbox.record().calls(BOT, "getUpdates").get(sandbox.record().calls(BOT, "getUpdates")
                    .size() - 1).params().path("timeout").asText();
            assertThat(last).as("the new process polls with the new spec").isEqualTo("15");
        }
    }

    private int countSaid() {
        return (int) sandbox.userEvents().stream().filter(e -> e.botId() == BOT).count();
    }

    @Test
    void bothProcessesAreInTheStatusWhileTheSuccessorWarmsUp() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet())) {
            long serving = s.awaitState("echo", "RUNNING").get("pid").asLong();
            // The successor's getMe is answered late: it stays warming up long enough to be seen.
            sandbox.injectFault(new FaultRule(BOT, "getMe", Fault.delay(Duration.ofSeconds(5)), 1, 0));
            Thread restart = new Thread(() -> s.ctl("restart", "echo"), "ctl-restart");
            restart.start();
            JsonNode during = s.awaitBot("echo", "a successor warming up", b -> b.get("handover").isObject()
                    && b.get("handover").get("phase").asText().equals("warming")
                    && !b.get("handover").get("successorPid").isNull());
            assertThat(during.get("state").asText()).isEqualTo("RUNNING");
            assertThat(during.get("pid").asLong()).as("the serving process").isEqualTo(serving);
            long successor = during.get("handover").get("successorPid").asLong();
            assertThat(ProcessHandle.of(successor).map(ProcessHandle::isAlive)).contains(true);
            sandbox.say(BOT, 1, "while warming");
            assertThat(sandbox.awaitSent(BOT, 1, 1, REPLIES)).extracting(BotMessage::text)
                    .containsExactly("while warming");
            restart.join();
            JsonNode after = s.bot("echo");
            assertThat(after.get("pid").asLong()).isEqualTo(successor);
            assertThat(after.get("handover").isNull()).isTrue();
        }
    }

    @Test
    void aSuccessorThatCannotStartLeavesTheServingProcessServingAndTheRestartFails() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet())) {
            long serving = s.awaitState("echo", "RUNNING").get("pid").asLong();
            sandbox.injectFault(new FaultRule(BOT, "getMe", Fault.status(401), 1, 0));
            ControlClient.Result r = s.ctl("restart", "echo");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.output()).contains("echo: RUNNING (restart by handover failed: its successor has a "
                    + "configuration error", "the running process kept serving");
            JsonNode b = s.bot("echo");
            assertThat(b.get("pid").asLong()).isEqualTo(serving);
            assertThat(b.get("handover").isNull()).isTrue();
            sandbox.say(BOT, 4, "still here");
            assertThat(sandbox.awaitSent(BOT, 4, 1, REPLIES)).extracting(BotMessage::text)
                    .containsExactly("still here");
        }
    }

    @Test
    void aColdRestartStopsTheBotThenStartsIt() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet())) {
            long first = s.awaitState("echo", "RUNNING").get("pid").asLong();
            ControlClient.Result r = s.ctl("restart", "--cold", "echo");
            assertThat(r.exitCode()).as("%s%n%s", r.output(), s.diagnostics("echo")).isZero();
            assertThat(s.bot("echo").get("pid").asLong()).isNotEqualTo(first);
            assertThat(s.log()).contains("bot 'echo' stopped [pid " + first).doesNotContain("restarting by handover");
            sandbox.say(BOT, 5, "after");
            assertThat(sandbox.awaitSent(BOT, 5, 1, REPLIES)).extracting(BotMessage::text).containsExactly("after");
        }
    }
}

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telegram bots under the supervisor, end to end: real child JVMs polling the sandbox (a fake Bot API server that
 * follows the real one's rules and records every call), the embedded PostgreSQL holding their inboxes and outboxes.
 */
class TelegramIT {
    private static final String TOKEN = "7001:AAH-telegram-it-secret_token";
    private static final long BOT = 7001;
    private static final Duration REPLIES = Duration.ofSeconds(60);

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

    private String fleet(String type) throws Exception {
        Files.writeString(dir.resolve("echo.env"), "TELEGRAM_BOT_TOKEN=" + TOKEN + "\n");
        return SupervisorProcess.FAST_DEFAULTS + """
                database: { hashPartitions: 4 }
                bots:
                  - id: echo
                    type: %s
                    secretsFile: echo.env
                    telegram:
                      apiUrl: %s
                      pollTimeout: 5s
                      sendLimits: { perChat: 50/s, overall: 200/s }
                """.formatted(type, sandbox.url());
    }

    @Test
    void theEchoBotAnswersEveryMessageOfEachChatInOrder() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("echo"))) {
            s.awaitState("echo", "RUNNING");
            for (int i = 0; i < 5; i++) {
                for (long chat = 1; chat <= 3; chat++) {
                    sandbox.say(BOT, chat, "chat " + chat + " message " + i);
                }
            }
            for (long chat = 1; chat <= 3; chat++) {
                List<String> texts = sandbox.awaitSent(BOT, chat, 5, REPLIES).stream().map(BotMessage::text).toList();
                long c = chat;
                assertThat(texts).containsExactly(java.util.stream.IntStream.range(0, 5)
                        .mapToObj(i -> "chat " + c + " message " + i).toArray(String[]::new));
            }
        }
    }

    @Test
    void killingTheBotMidStreamLosesNoUpdateAndHandlesNoneTwice() throws Exception {
        int chats = 6;
        int perChat = 10;
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("echo"))) {
            s.awaitState("echo", "RUNNING");
            for (int i = 0; i < perChat; i++) {
                for (long chat = 1; chat <= chats; chat++) {
                    sandbox.say(BOT, chat, "c" + chat + " m" + i);
                }
                if (i == 3 || i == 6) {
                    long pid = s.bot("echo").get("pid").asLong();
                    SupervisorProcess.signal(pid, "KILL");
                    s.awaitBot("echo", "to run again after the kill", b -> b.get("state").asText().equals("RUNNING")
                            && b.get("pid").asLong() != pid);
                }
            }
            for (long chat = 1; chat <= chats; chat++) {
                sandbox.awaitSent(BOT, chat, perChat, REPLIES);
            }
            DbEndpoint db = EmbeddedDatabase.running(DbFiles.under(s.stateDir))
                    .orElseThrow(() -> new AssertionError("no embedded server is up"));
            assertThat(SupervisorProcess.query(db, "SELECT count(*) || '/' || count(handled_at) FROM botvisor.updates"))
                    .as("every update recorded once and handled").isEqualTo(chats * perChat + "/" + chats * perChat);
            // A reply sent twice is one whose first send was in doubt (the process died during it): counted.
            Map<String, Long> replies = sandbox.allSent().stream().filter(m -> m.botId() == BOT)
                    .collect(Collectors.groupingBy(BotMessage::text, Collectors.counting()));
            for (long chat = 1; chat <= chats; chat++) {
                for (int i = 0; i < perChat; i++) {
                    assertThat(replies.get("c" + chat + " m" + i)).as("replies to c%d m%d", chat, i).isNotNull();
                }
            }
            long duplicates = replies.values().stream().mapToLong(n -> n - 1).sum();
            long doubted = Long.parseLong(SupervisorProcess.query(db, "SELECT count(*) FROM botvisor.outbox WHERE attempts > 1"));
            assertThat(duplicates).as("duplicate replies, each an uncertain send sent once more").isLessThanOrEqualTo(
                    doubted);
            assertThat(SupervisorProcess.query(db, "SELECT count(*) FROM botvisor.outbox WHERE state <> 'sent'")).isEqualTo("0");
        }
    }

    @Test
    void updatesThatArriveWhileTheDatabaseIsDownAreHandledOnceWhenItIsBack() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("echo"))) {
            s.awaitState("echo", "RUNNING");
            sandbox.say(BOT, 1, "before");
            sandbox.awaitSent(BOT, 1, 1, REPLIES);
            DbFiles files = DbFiles.under(s.stateDir);
            long postmaster = Long.parseLong(Files.readAllLines(files.data().resolve("postmaster.pid")).get(0).strip());
            SupervisorProcess.signal(postmaster, "KILL");
            for (int i = 0; i < 5; i++) {
                sandbox.say(BOT, 1, "during " + i);
                sandbox.say(BOT, 2, "during " + i);
            }
            s.await("the embedded server to be restarted", () -> {
                JsonNode db = s.status().get("database");
                return db.get("restarts").asInt() >= 1 && db.get("state").asText().equals("UP");
            });
            Path botLog = s.stateDir.resolve("logs/echo/stderr.log");
            s.await("the replies to chat 1", () -> sandbox.sent(BOT, 1).size() >= 6, () -> {
                try {
                    return "replies: " + sandbox.sent(BOT, 1).stream().map(BotMessage::text).toList() + " / "
                            + sandbox.sent(BOT, 2).stream().map(BotMessage::text).toList() + "; pending on Telegram: "
                            + sandbox.pendingUpdateCount(BOT) + "\n" + Files.readString(botLog) + "\n--- dump:\n"
                            + s.ctl("dump", "echo").output();
                } catch (java.io.IOException e) {
                    return "(no bot log: " + e + ")";
                }
            });
            assertThat(sandbox.awaitSent(BOT, 1, 6, REPLIES)).extracting(BotMessage::text).containsExactly("before",
                    "during 0", "during 1", "during 2", "during 3", "during 4");
            assertThat(sandbox.awaitSent(BOT, 2, 5, REPLIES)).extracting(BotMessage::text).containsExactly(
                    "during 0", "during 1", "during 2", "during 3", "during 4");
            DbEndpoint db = EmbeddedDatabase.running(files).orElseThrow(() -> new AssertionError("no server is up"));
            // Each update in the inbox once, handled: those received during the outage were journaled, answered from
            // the journal and replayed into the inbox once the server was back.
            s.await("the journal to be replayed", () -> {
                try {
                    return SupervisorProcess.query(db, "SELECT count(DISTINCT update_id) || '/' || count(*) || '/' || count(handled_at) "
                            + "FROM botvisor.updates").equals("11/11/11");
                } catch (SQLException e) {
                    return false;
                }
            });
            assertThat(SupervisorProcess.query(db, "SELECT count(*) FROM botvisor.outbox")).as("one reply each").isEqualTo("11");
            // Which part of the bot meets the outage first, and in which words, varies from run to run.
            assertThat(Files.readString(s.stateDir.resolve("logs/echo/stderr.log"))).as("the outage was met")
                    .containsAnyOf("the database cannot be reached", "the inbox could not record",
                            "the outbox is unavailable", "cannot read the inbox", "marked as broken",
                            "Failed to validate connection");
        }
    }

    @Test
    void aHangingDatabaseFallsToTheJournalAndNothingIsConfirmedThatItDoesNotHold() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("echo"))) {
            s.awaitState("echo", "RUNNING");
            sandbox.say(BOT, 1, "before");
            sandbox.awaitSent(BOT, 1, 1, REPLIES);
            long postmaster = Long.parseLong(Files.readAllLines(DbFiles.under(s.stateDir).data()
                    .resolve("postmaster.pid")).get(0).strip());
            List<Long> server = new ArrayList<>(List.of(postmaster));
            ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> server.add(p.pid()));
            for (long pid : server) {
                SupervisorProcess.signal(pid, "STOP"); // the server hangs: every query waits
            }
            try {
                for (int i = 0; i < 4; i++) {
                    sandbox.say(BOT, 1, "held " + i);
                }
                // The inbox's write gives up after its deadline: the updates go to the journal, are confirmed from
                // there and answered while the server still hangs.
                assertThat(sandbox.awaitSent(BOT, 1, 5, REPLIES)).extracting(BotMessage::text).containsExactly(
                        "before", "held 0", "held 1", "held 2", "held 3");
                s.await("the updates to be confirmed", () -> sandbox.pendingUpdateCount(BOT) == 0);
                String journal = journalText(s.stateDir.resolve("bots/echo/home/journal"));
                for (int i = 0; i < 4; i++) {
                    assertThat(journal).as("confirmed, so held by the journal").contains("held " + i);
                }
            } finally {
                for (long pid : server) {
                    SupervisorProcess.signal(pid, "CONT");
                }
            }
            DbEndpoint db = EmbeddedDatabase.running(DbFiles.under(s.stateDir))
                    .orElseThrow(() -> new AssertionError("no embedded server is up"));
            s.await("the journal to be replayed", () -> {
                try {
                    return SupervisorProcess.query(db, "SELECT count(*) || '/' || count(handled_at) FROM botvisor.updates")
                            .equals("5/5");
                } catch (SQLException e) {
                    return false;
                }
            });
        }
    }

    private static String journalText(Path root) throws java.io.IOException {
        StringBuilder out = new StringBuilder();
        try (var files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals("journal.log")).toList()) {
                out.append(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out.toString();
    }

    @Test
    void aTooManyRequestsAnswerStopsEveryCallOfTheBotForItsRetryAfter() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("echo"))) {
            s.awaitState("echo", "RUNNING");
            sandbox.injectFault(new FaultRule(BOT, "sendMessage", Fault.tooManyRequests(2), 1, 0));
            for (int i = 0; i < 4; i++) {
                sandbox.say(BOT, 9, "m" + i);
            }
            assertThat(sandbox.awaitSent(BOT, 9, 4, REPLIES)).extracting(BotMessage::text)
                    .containsExactly("m0", "m1", "m2", "m3");
            assertThat(sandbox.record().calls(BOT).stream().filter(c -> c.status() == 429)).hasSize(1);
            assertThat(sandbox.record().retryAfterViolations()).as("calls inside the 429's window").isEmpty();
            s.awaitBot("echo", "to count the 429", b -> b.get("counters").path("telegram_429s").asLong() == 1);
        }
    }

    @Test
    void aTokenTelegramRejectsFailsTheBotOnceWithoutRestarts() throws Exception {
        sandbox.revoke(BOT);
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("echo"))) {
            JsonNode b = s.awaitState("echo", "FAILED");
            assertThat(b.get("restarts").asInt()).isZero();
            assertThat(b.toString()).contains("Telegram rejected the token");
            assertThat(sandbox.record().calls(BOT, "getMe")).hasSize(1);
        }
    }

    @Test
    void theTokenIsInNoLogStatusMetricFileOrCommandLine() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("echo"))) {
            s.awaitState("echo", "RUNNING");
            sandbox.say(BOT, 1, "hello");
            sandbox.awaitSent(BOT, 1, 1, REPLIES);
            long pid = s.bot("echo").get("pid").asLong();
            List<String> seen = new ArrayList<>();
            seen.add(s.log());
            seen.add(s.ctl("status", "--json").output());
            seen.add(Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' '));
            try (var files = Files.walk(s.stateDir.resolve("logs"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    seen.add(Files.readString(f));
                }
            }
            try (var files = Files.walk(s.stateDir.resolve("metrics"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    seen.add(Files.readString(f));
                }
            }
            String environ = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")));
            assertThat(environ).as("the check would see the token where it is").contains(TOKEN);
            assertThat(seen).as("logs, status, argv, metric files").hasSizeGreaterThan(4)
                    .allSatisfy(text -> assertThat(text).doesNotContain(TOKEN).doesNotContain(TOKEN.split(":")[1]));
        }
    }

    @Test
    void thePersonaBotKeepsUsersConversationsAndMessagesAndAnswersInThePickedVoice() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("persona"))) {
            s.awaitState("echo", "RUNNING");
            sandbox.say(BOT, 42, "/start");
            assertThat(sandbox.awaitSent(BOT, 42, 1, REPLIES).get(0).text()).contains("ada — Ada")
                    .contains("marvin — Marvin");
            sandbox.say(BOT, 42, "/persona marvin");
            assertThat(sandbox.awaitSent(BOT, 42, 2, REPLIES).get(1).text()).startsWith("Marvin: ");
            sandbox.say(BOT, 42, "how are you?");
            assertThat(sandbox.awaitSent(BOT, 42, 3, REPLIES).get(2).text()).startsWith("Marvin: ");
            DbEndpoint db = EmbeddedDatabase.running(DbFiles.under(s.stateDir))
                    .orElseThrow(() -> new AssertionError("no embedded server is up"));
            assertThat(SupervisorProcess.query(db, "SELECT data->>'persona' FROM botvisor.users WHERE user_id = 42")).isEqualTo("marvin");
            assertThat(SupervisorProcess.query(db, "SELECT count(*) FILTER (WHERE direction = 'in') || '/' || count(*) FILTER (WHERE "
                    + "direction = 'out') FROM botvisor.messages WHERE conversation_id = 42")).isEqualTo("3/3");
        }
    }

    /** A fleet with one bot of a test class of bot-runner's ({@code SlowBot}), as an operator's own bot is run. */
    private String slowFleet(String stopTimeout, String telegramExtra) throws Exception {
        Files.writeString(dir.resolve("echo.env"), "TELEGRAM_BOT_TOKEN=" + TOKEN + "\n");
        Path testClasses = Path.of("..", "bot-runner", "target", "test-classes").toAbsolutePath().normalize();
        return SupervisorProcess.FAST_DEFAULTS + """
                database: { hashPartitions: 4 }
                bots:
                  - id: echo
                    class: io.botvisor.runner.telegram.SlowBot
                    classpath: ["%s"]
                    secretsFile: echo.env
                    stopTimeout: %s
                    telegram: { apiUrl: %s, pollTimeout: 5s%s }
                """.formatted(testClasses, stopTimeout, sandbox.url(), telegramExtra);
    }

    @Test
    void aHandlerStuckPastItsTimeoutFailsTheSelfCheckWithTheUpdate() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, slowFleet("1s", ", handlerTimeout: 1s"))) {
            s.awaitState("echo", "RUNNING");
            sandbox.say(BOT, 3, "/sleep 60");
            s.awaitBot("echo", "to fail its self-check", bot -> bot.path("healthReasons").toString()
                    .contains("self-check failing"));
            s.await("the supervisor to log why", () -> s.log().contains("a handler has run for"));
            assertThat(s.log()).contains("(limit 1 s)");
            sandbox.say(BOT, 4, "other chats go on");
            assertThat(sandbox.awaitSent(BOT, 4, 1, REPLIES).get(0).text()).isEqualTo("other chats go on");
        }
    }

    @Test
    void aStopLetsTheRunningHandlerFinishAndItsReplyIsSentOnce() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, slowFleet("20s", ""))) {
            s.awaitState("echo", "RUNNING");
            sandbox.say(BOT, 3, "/sleep 3");
            s.await("the handler to be running", () -> sandbox.pendingUpdateCount(BOT) == 0);
            assertThat(s.ctl("stop", "echo").exitCode()).isZero();
            s.awaitState("echo", "STOPPED");
            assertThat(s.ctl("start", "echo").exitCode()).isZero();
            assertThat(sandbox.awaitSent(BOT, 3, 1, REPLIES).get(0).text()).isEqualTo("slept 3 s");
            sandbox.say(BOT, 3, "after");
            assertThat(sandbox.awaitSent(BOT, 3, 2, REPLIES)).extracting(BotMessage::text)
                    .containsExactly("slept 3 s", "after");
            DbEndpoint db = EmbeddedDatabase.running(DbFiles.under(s.stateDir))
                    .orElseThrow(() -> new AssertionError("no embedded server is up"));
            assertThat(SupervisorProcess.query(db, "SELECT count(*) FROM botvisor.outbox")).as("one reply each, not two")
                    .isEqualTo("2");
        }
    }
}

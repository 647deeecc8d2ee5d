package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.sandbox.BotMessage;
import io.botvisor.sandbox.Fault;
import io.botvisor.sandbox.FaultRule;
import io.botvisor.sandbox.SandboxConfig;
import io.botvisor.sandbox.SandboxServer;
import io.botvisor.storage.DbEndpoint;
import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Telegram bot through a database outage, end to end: real child JVMs, the sandbox Bot API server, the embedded
 * PostgreSQL stopped (SIGSTOP of the postmaster and its children: every query hangs, deterministically, until SIGCONT).
 * The bot answers from its local journal meanwhile and replays it into the database afterwards.
 */
class JournalIT {
    private static final String TOKEN = "7002:AAH-journal-it-secret_token";
    private static final long BOT = 7002;
    private static final Duration REPLIES = Duration.ofSeconds(60);
    private static final String APOLOGY = "Sorry, no database right now";

    @TempDir
    Path dir;
    private SandboxServer sandbox;
    private final List<Long> stopped = new ArrayList<>();

    @BeforeEach
    void startSandbox() {
        sandbox = SandboxServer.start(SandboxConfig.defaults().withPort(0));
        sandbox.register(TOKEN);
    }

    @AfterEach
    void stopSandbox() throws Exception {
        resumeDatabase();
        sandbox.close();
    }

    /** A fleet of one bot of bot-runner's test class {@code DataBot}, with extra {@code telegram:} and config. */
    private String fleet(String telegramExtra, String config) throws IOException {
        Files.writeString(dir.resolve("bot.env"), "TELEGRAM_BOT_TOKEN=" + TOKEN + "\n");
        Path testClasses = Path.of("..", "bot-runner", "target", "test-classes").toAbsolutePath().normalize();
        return SupervisorProcess.FAST_DEFAULTS + """
                database: { hashPartitions: 4 }
                bots:
                  - id: jb
                    class: io.botvisor.runner.telegram.DataBot
                    classpath: ["%s"]
                    secretsFile: bot.env
                    config: { %s }
                    telegram: { apiUrl: %s, pollTimeout: 2s, sendLimits: { perChat: 50/s, overall: 200/s }%s }
                """.formatted(testClasses, config, sandbox.url(), telegramExtra);
    }

    private void stopDatabase(SupervisorProcess s) throws IOException, InterruptedException {
        long postmaster = Long.parseLong(Files.readAllLines(DbFiles.under(s.stateDir).data()
                .resolve("postmaster.pid")).get(0).strip());
        List<Long> server = new ArrayList<>(List.of(postmaster));
        ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> server.add(p.pid()));
        for (long pid : server) {
            // Every query waits, nothing fails by itself. A backend may exit meanwhile (the test's own last query's).
            int exit = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
            if (exit == 0) {
                stopped.add(pid);
            } else {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid
                        + " could not be stopped though it runs").isFalse();
            }
        }
    }

    private void resumeDatabase() throws IOException, InterruptedException {
        for (long pid : stopped) {
            if (ProcessHandle.of(pid).isPresent()) {
                SupervisorProcess.signal(pid, "CONT");
            }
        }
        stopped.clear();
    }

    private static String query(SupervisorProcess s, String sql) {
        DbEndpoint db = EmbeddedDatabase.running(DbFiles.under(s.stateDir))
                .orElseThrow(() -> new AssertionError("no embedded server is up"));
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /** The bot's own log (its stderr), for a failure's context. */
    private static String botLog(SupervisorProcess s) {
        try {
            return Files.readString(s.stateDir.resolve("logs/jb/stderr.log"));
        } catch (IOException e) {
            return "(no bot log: " + e.getMessage() + ")";
        }
    }

    /** Every whole update of the inbox once, handled, with {@code n} updates in all. */
    private static void awaitInbox(SupervisorProcess s, int n) {
        s.await("the journal to be replayed: " + n + " updates recorded once and handled",
                () -> query(s, "SELECT count(DISTINCT update_id) || '/' || count(*) || '/' || count(handled_at) "
                        + "FROM botvisor.updates").equals(n + "/" + n + "/" + n), () -> botLog(s));
    }

    private static List<String> texts(List<BotMessage> sent) {
        return sent.stream().map(BotMessage::text).toList();
    }

    private static List<String> said(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    /** Journal files of the bot (its HOME is {@code STATE/bots/ID/home}), as text. */
    private static String journals(SupervisorProcess s) throws IOException {
        Path root = s.stateDir.resolve("bots/jb/home/journal");
        if (!Files.isDirectory(root)) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals("journal.log")).toList()) {
                out.append(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out.toString();
    }

    @Test
    void repliesKeepComingWhileTheDatabaseIsStopped() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("", ""))) {
            s.awaitState("jb", "RUNNING");
            sandbox.say(BOT, 1, "before");
            sandbox.awaitSent(BOT, 1, 1, REPLIES);
            stopDatabase(s);
            for (int i = 0; i < 5; i++) {
                sandbox.say(BOT, 1, "during " + i);
                sandbox.say(BOT, 2, "during " + i);
            }
            assertThat(texts(sandbox.awaitSent(BOT, 1, 6, REPLIES))).containsExactly("before", "during 0", "during 1",
                    "during 2", "during 3", "during 4");
            assertThat(texts(sandbox.awaitSent(BOT, 2, 5, REPLIES))).containsExactlyElementsOf(said("during ", 5));
            assertThat(stopped).as("the database was stopped all along").allMatch(pid -> ProcessHandle.of(pid)
                    .isPresent());
            resumeDatabase(); // before the supervisor's stop, which would wait on it
        }
    }

    @Test
    void newUpdatesAreAnsweredWhileTheJournalsSettledUpdatesAreCopiedIntoTheDatabase() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("", ""))) {
            s.awaitState("jb", "RUNNING");
            DbEndpoint db = EmbeddedDatabase.running(DbFiles.under(s.stateDir)).orElseThrow();
            try (Connection lock = db.connect(); Statement st = lock.createStatement()) {
                // The test holds the inbox's table: the copy's first write waits for it (its statement gives up after
                // 10 s and the replay runs again; the old copy let the journal be written only in between).
                lock.setAutoCommit(false);
                st.execute("LOCK TABLE botvisor.updates IN SHARE ROW EXCLUSIVE MODE");
                stopDatabase(s);
                for (int i = 0; i < 3; i++) {
                    sandbox.say(BOT, 1, "m" + i);
                }
                assertThat(texts(sandbox.awaitSent(BOT, 1, 3, REPLIES))).containsExactlyElementsOf(said("m", 3));
                resumeDatabase();
                s.await("the copy to wait for the inbox's table", () -> query(s, "SELECT count(*) FROM pg_locks "
                        + "WHERE locktype = 'relation' AND NOT granted").equals("1"), () -> botLog(s));
                sandbox.say(BOT, 2, "during the copy");
                assertThat(texts(sandbox.awaitSent(BOT, 2, 1, REPLIES))).containsExactly("during the copy");
                assertThat(botLog(s)).as("answered within the copy's first try, from the journal")
                        .doesNotContain("the journal's replay stopped").doesNotContain("the journal is replayed into it");
                lock.rollback();
            }
            awaitInbox(s, 4);
            assertThat(texts(sandbox.sent(BOT, 2))).as("once").containsExactly("during the copy");
            assertThat(query(s, "SELECT count(*) FROM botvisor.outbox")).as("one reply per update").isEqualTo("4");
        }
    }

    /** Once the bot runs: chat 1 says {@code text}, and Telegram holds the bot's reply 8 s (in flight, sending). */
    private void slowReplyInFlight(SupervisorProcess s, String text) {
        s.awaitState("jb", "RUNNING");
        sandbox.injectFault(new FaultRule(BOT, "sendMessage", Fault.delay(Duration.ofSeconds(8)), 1, 0));
        sandbox.say(BOT, 1, text);
        s.await("the slow reply to be in flight", () -> query(s, "SELECT count(*) FROM botvisor.outbox WHERE "
                + "payload->>'text' = '" + text + "' AND state = 'sending'").equals("1"), () -> botLog(s));
    }

    private void stopDatabaseUntilTheBotFindsItDown(SupervisorProcess s) throws IOException, InterruptedException {
        stopDatabase(s);
        s.await("the bot to find the database down", () -> botLog(s).contains("the database cannot be reached"),
                () -> botLog(s));
    }

    @Test
    void aReplyWaitingInTheOutboxWhenTheDatabaseStopsIsSentBeforeItsChatsRepliesFromTheJournal() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("", ""))) {
            // Telegram answers chat 1's first reply slowly: the next one waits in the outbox behind it, unclaimed.
            slowReplyInFlight(s, "zero");
            sandbox.say(BOT, 1, "first");
            s.await("the next reply to wait in the outbox", () -> query(s, "SELECT count(*) FROM botvisor.outbox "
                    + "WHERE payload->>'text' = 'first' AND state = 'queued'").equals("1"), () -> botLog(s));
            // The slow reply's outcome cannot be recorded: the bot finds the database down, and chat 1 is free.
            stopDatabaseUntilTheBotFindsItDown(s);
            sandbox.say(BOT, 1, "second");
            sandbox.say(BOT, 2, "other");
            assertThat(texts(sandbox.awaitSent(BOT, 2, 1, REPLIES))).as("another chat is answered from the journal")
                    .containsExactly("other");
            resumeDatabase();
            s.await("chat 1's three replies", () -> sandbox.sent(BOT, 1).size() >= 3, () -> botLog(s));
            assertThat(texts(sandbox.sent(BOT, 1))).as("the reply the outbox held goes first")
                    .containsExactly("zero", "first", "second");
            awaitInbox(s, 4);
        }
    }

    @Test
    void anUpdateRecordedButNotYetReadBackWhenTheDatabaseStopsIsAnsweredBeforeItsChatsNextOne() throws Exception {
        // inboxReadDelay (a test hook) holds the dispatcher's read of the inbox back: "first" is recorded there, not
        // yet read back, when the database stops; "second" goes to the journal.
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("", "inboxReadDelay: 60s"))) {
            s.awaitState("jb", "RUNNING");
            sandbox.say(BOT, 1, "first");
            s.await("the first update recorded, not handled", () -> query(s, "SELECT count(*) FROM botvisor.updates "
                    + "WHERE handled_at IS NULL").equals("1"), () -> botLog(s));
            stopDatabase(s);
            sandbox.say(BOT, 1, "second");
            s.await("chat 1's two replies while the database is down", () -> sandbox.sent(BOT, 1).size() >= 2,
                    () -> botLog(s));
            assertThat(texts(sandbox.sent(BOT, 1))).as("the update the inbox held goes first")
                    .containsExactly("first", "second");
            resumeDatabase();
            awaitInbox(s, 2);
        }
    }

    @Test
    void aChatWhoseReplyWasInFlightWhenTheDatabaseStoppedIsAnsweredFromTheJournalOnceThatReplyArrived()
            throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("", ""))) {
            slowReplyInFlight(s, "zero");
            stopDatabaseUntilTheBotFindsItDown(s);
            sandbox.say(BOT, 1, "second");
            assertThat(texts(sandbox.awaitSent(BOT, 1, 2, REPLIES))).as("answered with the database still stopped")
                    .containsExactly("zero", "second");
            assertThat(stopped).as("the database was stopped all along").allMatch(pid -> ProcessHandle.of(pid)
                    .isPresent());
            resumeDatabase();
            awaitInbox(s, 2);
        }
    }

    @Test
    void aHandlerTransactionInProgressWhenTheDatabaseStopsIsCutAndItsChatAnsweredFromTheJournal() throws Exception {
        // handlerTimeout 300s: uncut, the transaction's statement would wait 310 s (its network timeout) for an answer;
        // cut before its commit was asked for, it holds nothing (it cannot commit).
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet(", handlerTimeout: 300s", ""))) {
            s.awaitState("jb", "RUNNING");
            DbEndpoint db = EmbeddedDatabase.running(DbFiles.under(s.stateDir)).orElseThrow();
            try (Connection lock = db.connect(); Statement st = lock.createStatement()) {
                st.execute("SELECT pg_advisory_lock(7002777)"); // DataBot.LATE_LOCK: /late's transaction waits
                sandbox.say(BOT, 1, "/late");
                s.await("/late's transaction to wait for the lock, its reply queued", () -> query(s, "SELECT count(*) "
                        + "FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").equals("1"), () -> botLog(s));
                stopDatabase(s);
                sandbox.say(BOT, 1, "after");
                assertThat(texts(sandbox.awaitSent(BOT, 1, 2, REPLIES))).as("answered from the journal with the "
                        + "database still stopped: the cut transaction committed nothing").containsExactly("late",
                        "after");
                assertThat(botLog(s)).contains("1 handler transaction in progress cut: its update is handled from the "
                        + "journal");
                assertThat(stopped).as("the database was stopped all along").allMatch(pid -> ProcessHandle.of(pid)
                        .isPresent());
                resumeDatabase();
            }
            awaitInbox(s, 2);
            assertThat(texts(sandbox.sent(BOT, 1))).as("each once").containsExactly("late", "after");
        }
    }

    @Test
    void updatesHandledFromTheJournalAreHandledOnceInTheDatabaseWithTheirReplies() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("", ""))) {
            s.awaitState("jb", "RUNNING");
            stopDatabase(s);
            for (int i = 0; i < 5; i++) {
                sandbox.say(BOT, 1, "m" + i);
                sandbox.say(BOT, 2, "m" + i);
            }
            sandbox.awaitSent(BOT, 1, 5, REPLIES);
            sandbox.awaitSent(BOT, 2, 5, REPLIES);
            resumeDatabase();
            awaitInbox(s, 10);
            assertThat(query(s, "SELECT count(*) || '/' || count(*) FILTER (WHERE state = 'sent' AND "
                    + "telegram_message_id IS NOT NULL) FROM botvisor.outbox")).as("one reply each, sent, with its "
                    + "message id").isEqualTo("10/10");
            assertThat(query(s, "SELECT string_agg(payload->>'text', ',' ORDER BY id) FROM botvisor.outbox "
                    + "WHERE chat_id = 1")).as("chat 1's replies in order").isEqualTo("m0,m1,m2,m3,m4");
            assertThat(sandbox.allSent().stream().filter(m -> m.botId() == BOT).map(m -> m.chatId() + ":" + m.text())
                    .toList()).as("no reply twice").doesNotHaveDuplicates();
        }
    }

    @Test
    void theJournalDepthIsALevelInTheStatusWhileTheDatabaseIsDownAndZeroAfterTheReplay() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("", ""))) {
            s.awaitState("jb", "RUNNING");
            stopDatabase(s);
            sandbox.say(BOT, 1, "m");
            sandbox.awaitSent(BOT, 1, 1, REPLIES);
            s.awaitBot("jb", "to report its journal's depth", b -> b.path("counters")
                    .path("telegram_journal_depth").asLong() > 0);
            resumeDatabase();
            awaitInbox(s, 1);
            s.awaitBot("jb", "to report an empty journal", b -> b.path("counters").path("telegram_journal_depth")
                    .asLong() == 0 && b.path("counters").path("telegram_journal_oldest_seconds").asLong() == 0);
        }
    }

    @Test
    void nothingIsConfirmedToTelegramThatTheJournalDoesNotHold() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("", ""))) {
            s.awaitState("jb", "RUNNING");
            stopDatabase(s);
            for (int i = 0; i < 4; i++) {
                sandbox.say(BOT, 1, "held " + i);
            }
            s.await("the updates to be confirmed", () -> sandbox.pendingUpdateCount(BOT) == 0, () -> botLog(s));
            String journal = journals(s);
            for (int i = 0; i < 4; i++) {
                assertThat(journal).as("confirmed, so in the journal").contains("held " + i);
            }
        }
    }

    @Test
    void killingTheBotDuringTheOutageLosesNothingAndDuplicatesNothingInTheDatabase() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("", ""))) {
            s.awaitState("jb", "RUNNING");
            stopDatabase(s);
            for (int i = 0; i < 5; i++) {
                sandbox.say(BOT, 1, "a" + i);
                sandbox.say(BOT, 2, "a" + i);
            }
            sandbox.awaitSent(BOT, 1, 5, REPLIES);
            for (int i = 0; i < 3; i++) {
                sandbox.say(BOT, 3, "b" + i); // some of these may be in flight at the kill
            }
            long pid = s.bot("jb").get("pid").asLong();
            SupervisorProcess.signal(pid, "KILL");
            SupervisorProcess.awaitGone(pid);
            resumeDatabase();
            s.awaitBot("jb", "to run again after the kill", b -> b.get("state").asText().equals("RUNNING")
                    && b.get("pid").asLong() != pid);
            for (int i = 0; i < 2; i++) {
                sandbox.say(BOT, 3, "c" + i);
            }
            sandbox.awaitSent(BOT, 2, 5, REPLIES);
            // A reply in flight at the kill may come twice (retry-once): distinct replies are counted.
            s.await("chat 3's five replies", () -> texts(sandbox.sent(BOT, 3)).stream().distinct().count() == 5,
                    () -> botLog(s));
            assertThat(texts(sandbox.sent(BOT, 3)).stream().distinct().toList()).as("chat 3's replies in order")
                    .containsExactly("b0", "b1", "b2", "c0", "c1");
            awaitInbox(s, 15);
            assertNoDuplicateBeyondUncertain(s);
            s.await("the gone process's journal to be removed", () -> {
                try {
                    return !journals(s).contains("\"a0\"") && !journals(s).contains("a0");
                } catch (IOException e) {
                    return false;
                }
            }, () -> botLog(s));
        }
    }

    @Test
    void aReplyInFlightWhenTheBotIsKilledDuringTheOutageIsUncertainAndNotSentAgainUnderNever() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet(", uncertainSends: never", ""))) {
            s.awaitState("jb", "RUNNING");
            stopDatabase(s);
            // The sandbox holds the reply's response back: the kill lands between the journal's claim and its outcome.
            sandbox.injectFault(new FaultRule(BOT, "sendMessage", Fault.delay(Duration.ofSeconds(30)), 1, 0));
            sandbox.say(BOT, 5, "x");
            s.await("the reply to be claimed in the journal", () -> {
                try {
                    return journals(s).contains("{\"t\":\"C\"");
                } catch (IOException e) {
                    return false;
                }
            }, () -> botLog(s));
            long pid = s.bot("jb").get("pid").asLong();
            SupervisorProcess.signal(pid, "KILL");
            SupervisorProcess.awaitGone(pid);
            sandbox.clearFaults();
            resumeDatabase();
            s.awaitBot("jb", "to run again after the kill", b -> b.get("state").asText().equals("RUNNING")
                    && b.get("pid").asLong() != pid);
            awaitInbox(s, 1);
            assertThat(query(s, "SELECT state || '/' || attempts || '/' || last_error FROM botvisor.outbox"))
                    .isEqualTo("uncertain/1/" + "in flight when its process ended");
            s.awaitBot("jb", "to count the send in doubt", b -> b.path("counterTotals")
                    .path("telegram_sends_uncertain").asLong() >= 1);
            sandbox.say(BOT, 5, "y");
            s.await("the chat to go on", () -> texts(sandbox.sent(BOT, 5)).contains("y"), () -> botLog(s));
            assertThat(texts(sandbox.sent(BOT, 5)).stream().filter("x"::equals)).as("never sent again")
                    .hasSizeLessThanOrEqualTo(1);
        }
    }

    @Test
    void killingTheBotDuringTheReplayLosesNothingAndDuplicatesNothingInTheDatabase() throws Exception {
        int perChat = 8;
        int chats = 5;
        int all = perChat * chats;
        // journalReplayDelay slows each update's replay (a test hook; zero by default): the kill lands inside it.
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("", "journalReplayDelay: 100ms"))) {
            s.awaitState("jb", "RUNNING");
            stopDatabase(s);
            for (int i = 0; i < perChat; i++) {
                for (long chat = 1; chat <= chats; chat++) {
                    sandbox.say(BOT, chat, "r" + i);
                }
            }
            for (long chat = 1; chat <= chats; chat++) {
                sandbox.awaitSent(BOT, chat, perChat, REPLIES);
            }
            resumeDatabase();
            // Handled in the inbox one by one as the replay goes (what the poller's write left there is unhandled).
            s.await("the replay to be under way", () -> {
                String n = query(s, "SELECT count(handled_at) FROM botvisor.updates");
                return !n.startsWith("unreadable") && Long.parseLong(n) > 0;
            }, () -> botLog(s));
            long pid = s.bot("jb").get("pid").asLong();
            SupervisorProcess.signal(pid, "KILL");
            SupervisorProcess.awaitGone(pid);
            assertThat(Long.parseLong(query(s, "SELECT count(handled_at) FROM botvisor.updates")))
                    .as("killed mid-replay: updates handled in the inbox").isLessThan(all);
            s.awaitBot("jb", "to run again after the kill", b -> b.get("state").asText().equals("RUNNING")
                    && b.get("pid").asLong() != pid);
            awaitInbox(s, all);
            assertThat(query(s, "SELECT count(*) || '/' || count(DISTINCT update_id) FROM botvisor.outbox"))
                    .as("one reply per update").isEqualTo(all + "/" + all);
            assertThat(query(s, "SELECT count(*) FROM botvisor.outbox WHERE state <> 'sent'")).isEqualTo("0");
            for (long chat = 1; chat <= chats; chat++) {
                assertThat(texts(sandbox.sent(BOT, chat))).as("chat %d: each reply once, in order", chat)
                        .containsExactlyElementsOf(said("r", perChat));
            }
        }
    }

    @Test
    void aHandlerThatNeedsTheDatabaseWaitsForItWithItsChatsLaterUpdates() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet("", ""))) {
            s.awaitState("jb", "RUNNING");
            stopDatabase(s);
            sandbox.say(BOT, 1, "/db");
            sandbox.say(BOT, 1, "after");
            sandbox.say(BOT, 2, "other chat");
            assertThat(texts(sandbox.awaitSent(BOT, 2, 1, REPLIES))).containsExactly("other chat");
            s.await("the handler to have met the outage", () -> botLog(s).contains("wait until it is back"),
                    () -> botLog(s));
            assertThat(sandbox.sent(BOT, 1)).as("chat 1 waits for the database").isEmpty();
            resumeDatabase();
            List<String> chat1 = texts(sandbox.awaitSent(BOT, 1, 2, REPLIES));
            assertThat(chat1.get(0)).startsWith("db ok ");
            assertThat(chat1.get(1)).isEqualTo("after");
            awaitInbox(s, 3);
        }
    }

    @Test
    void aHandlerThatNeedsTheDatabaseIsAnsweredWithTheApologyUnderApologize() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet(", whenDatabaseDown: apologize, apology: \""
                + APOLOGY + "\"", ""))) {
            s.awaitState("jb", "RUNNING");
            stopDatabase(s);
            sandbox.say(BOT, 1, "/db");
            sandbox.say(BOT, 1, "after");
            assertThat(texts(sandbox.awaitSent(BOT, 1, 2, REPLIES))).containsExactly(APOLOGY, "after");
            resumeDatabase();
            awaitInbox(s, 2);
            assertThat(query(s, "SELECT string_agg(payload->>'text', ',' ORDER BY id) FROM botvisor.outbox"))
                    .isEqualTo(APOLOGY + ",after");
            s.awaitBot("jb", "to count the apology", b -> b.path("counters").path("telegram_updates_apologized")
                    .asLong() == 1);
        }
    }

    @Test
    void aFullJournalStopsConfirmingUpdatesUntilTheDatabaseIsBack() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, fleet(", journal: { maxBytes: 64k }", ""))) {
            s.awaitState("jb", "RUNNING");
            stopDatabase(s);
            String big = "x".repeat(3000);
            int n = 40; // 40 × ~3 KB: more than 64 KB
            for (int i = 0; i < n; i++) {
                sandbox.say(BOT, 1, i + " " + big);
            }
            s.await("the journal to be full", () -> botLog(s).contains("the journal is full"), () -> botLog(s));
            s.awaitBot("jb", "to count the refusals", b -> b.path("counters").path("telegram_journal_full")
                    .asLong() > 0);
            assertThat(sandbox.pendingUpdateCount(BOT)).as("updates Telegram still holds").isPositive();
            resumeDatabase();
            s.await("every update to be confirmed", () -> sandbox.pendingUpdateCount(BOT) == 0, () -> botLog(s));
            awaitInbox(s, n);
            List<String> replies = texts(sandbox.awaitSent(BOT, 1, n, REPLIES));
            assertThat(replies).containsExactlyElementsOf(IntStream.range(0, n).mapToObj(i -> i + " " + big).toList());
        }
    }

    /** Replies sent twice are only those whose first send was in doubt (counted as uncertain). */
    private void assertNoDuplicateBeyondUncertain(SupervisorProcess s) {
        Map<String, Long> replies = sandbox.allSent().stream().filter(m -> m.botId() == BOT)
                .collect(Collectors.groupingBy(m -> m.chatId() + ":" + m.text(), Collectors.counting()));
        long duplicates = replies.values().stream().mapToLong(n -> n - 1).sum();
        long doubted = Long.parseLong(query(s, "SELECT count(*) FROM botvisor.outbox WHERE attempts > 1 "
                + "OR state = 'uncertain'"));
        assertThat(duplicates).as("duplicate replies, each an uncertain send").isLessThanOrEqualTo(doubted);
        assertThat(query(s, "SELECT count(*) || '/' || count(DISTINCT update_id) FROM botvisor.outbox"))
                .as("one outbox row per update").isEqualTo("15/15");
    }
}

package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

/**
 * A fake Telegram Bot API server on 127.0.0.1 that follows the real server's rules (docs/sandbox.md) for any number
 * of bots at once, with a user side (say, press, migrate), a record of every call and fault injection, as a Java API
 * and as HTTP control endpoints under {@code /sandbox/} on the same port.
 *
 * <pre>{@code
 * try (SandboxServer sandbox = SandboxServer.start(SandboxConfig.defaults())) {
 *     String apiUrl = sandbox.url();                      // the bot's apiUrl: <url>/bot<token>/<method>
 *     sandbox.say(123, 42, "hello");                      // user 42 writes to bot 123 in a private chat
 *     List<BotMessage> replies = sandbox.awaitSent(123, 42, 1, Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * Thread-safe. Owns its HTTP server, a bounded request pool ({@link SandboxConfig#threads()}; a parked getUpdates
 * holds no thread) and, with real time, one timer thread; {@link #close()} stops them all.
 */
public final class SandboxServer implements AutoCloseable {

    private static final String NO_DELAY = "sun.net.httpserver.nodelay";

    private final SandboxConfig config;
    private final SandboxClock clock;
    private final SystemClock ownClock;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Long, Bot> bots = new ConcurrentHashMap<>();
    private final Journal journal;
    private final AnswerLedger ledger;
    private final SayKeys sayKeys = new SayKeys();
    private final CallRecord record;
    private final Faults faults;
    private final Consumer<String> log;
    private final ExecutorService pool;
    private final HttpServer http;

    private SandboxServer(SandboxConfig config) throws IOException {
        this.config = config;
        this.ownClock = config.clock() == null ? new SystemClock() : null;
        this.clock = config.clock() == null ? ownClock : config.clock();
        this.faults = new Faults(config.seed());
        this.ledger = new AnswerLedger(clock.millis());
        this.journal = new Journal(config.recordLimit(), ledger);
        this.record = new CallRecord(config.recordLimit());
        Consumer<String> sink = config.log() != null ? config.log() : SandboxServer::systemLog;
        this.log = line -> sink.accept(Redact.tokens(line));
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(config.threads(), config.threads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "sandbox-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        noDelay();
        this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), 128);
        http.setExecutor(pool);
        Router router = new Router(this, new ControlApi(this, json), record, faults, pool, clock, json, log,
                config.verbose(), config.acceptAnyToken());
        http.createContext("/", router::handle);
    }

    /**
     * The JDK's server writes a response's headers and body in two writes; with Nagle's algorithm on, the body waits
     * for the client's delayed ACK of the headers: ~40 ms on every call (measured here: 45 ms a call, 4 ms with
     * TCP_NODELAY). The server reads this property once, when its first instance in the JVM is made; an operator's
     * or test's own setting wins.
     */
    private static void noDelay() {
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
    }

    /** Starts a server; the port is bound when this returns. Throws {@link SandboxException} if it cannot listen. */
    public static SandboxServer start(SandboxConfig config) {
        try {
            SandboxServer server = new SandboxServer(config);
            server.http.start();
            server.log.accept("sandbox: Bot API server on " + server.url() + " (control endpoints under "
                    + server.url() + "/sandbox/)");
            return server;
        } catch (IOException e) {
            throw new SandboxException("sandbox: cannot listen on 127.0.0.1:" + config.port() + " ("
                    + e.getMessage() + "); pick another port with --port", e);
        }
    }

    private static void systemLog(String line) {
        System.getLogger("io.botvisor.sandbox").log(System.Logger.Level.INFO, line);
    }

    /** {@code http://127.0.0.1:PORT}: a bot's API base URL (methods are at {@code <url>/bot<token>/<method>}). */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public SandboxClock clock() {
        return clock;
    }

    /** The bot of this id, made on first sight when any token is accepted (its first secret seen is its secret). */
    Bot bot(long botId, String secret) {
        return bots.computeIfAbsent(botId, id -> new Bot(id, secret, clock, config.seed(), journal, config.chatHistory()));
    }

    /** The bot of this id if known (or, accepting any token, made now); else null. */
    Bot existing(long botId) {
        return bots.get(botId);
    }

    private Bot known(long botId) {
        Bot bot = config.acceptAnyToken() ? bot(botId, null) : bots.get(botId);
        if (bot == null) {
            throw new IllegalArgumentException("sandbox: bot " + botId + " is not registered (register its token"
                    + " first, or start the sandbox accepting any token)");
        }
        return bot;
    }

    // ---- Java API: bots and tokens ----------------------------------------------------------------------------------

    /** Makes {@code token} a bot (needed when the server does not accept any token); returns the bot id. */
    public long register(String token) {
        Matcher t = Router.token(token);
        if (!t.matches()) {
            throw new IllegalArgumentException("sandbox: register: " + Redact.tokens(token)
                    + " is not a bot token (expected <digits>:<secret>)");
        }
        bot(Long.parseLong(t.group(1)), t.group(2));
        return Long.parseLong(t.group(1));
    }

    /** Every later call with this bot's token gets 401 Unauthorized. */
    public void revoke(long botId) {
        known(botId).revoke(false);
    }

    /** As {@link #revoke(long)}, but getMe answers 404 Not Found (as some paths of the real server do). */
    public void revokeWithNotFoundOnGetMe(long botId) {
        known(botId).revoke(true);
    }

    public void restore(long botId) {
        known(botId).restore();
    }

    /** The bot's next update gets a random id, as after a week without updates. */
    public void jumpNextUpdateId(long botId) {
        known(botId).updates.jumpNextUpdateId();
    }

    /** The id the bot's next update will get (absent a jump). */
    public long nextUpdateId(long botId) {
        return known(botId).updates.nextUpdateId();
    }

    public int pendingUpdateCount(long botId) {
        return known(botId).updates.pendingUpdateCount();
    }

    // ---- Java API: the user side ------------------------------------------------------------------------------------

    /** User {@code chatId} writes {@code text} to the bot in their private chat. */
    public UserEvent say(long botId, long chatId, String text) {
        return say(botId, chatId, chatId, text);
    }

    /** User {@code fromUserId} writes {@code text} in chat {@code chatId} (negative: a group). */
    public UserEvent say(long botId, long chatId, long fromUserId, String text) {
        return known(botId).chats.say(chatId, fromUserId, text);
    }

    /**
     * As {@link #say(long, long, long, String)}, idempotent: the same {@code key} again (a retry) returns the message
     * said the first time and says nothing more; the same key for another message is refused. The last 65,536 keys
     * are kept.
     */
    public UserEvent say(long botId, long chatId, long fromUserId, String text, String key) {
        if (key == null || key.isEmpty()) {
            return say(botId, chatId, fromUserId, text);
        }
        return sayKeys.once(key, botId, chatId, fromUserId, text, () -> say(botId, chatId, fromUserId, text));
    }

    /** User {@code fromUserId} presses an inline button with {@code data} under the bot's message. */
    public UserEvent press(long botId, long chatId, long fromUserId, long messageId, String data) {
        return known(botId).chats.press(chatId, fromUserId, messageId, data);
    }

    /** The group becomes a supergroup; returns its new (64-bit) id. Sends to the old id then answer 400. */
    public long migrate(long botId, long groupChatId) {
        return known(botId).chats.migrate(groupChatId);
    }

    /** What the bot has sent to the chat so far, oldest first (texts as last edited). */
    public List<BotMessage> sent(long botId, long chatId) {
        return known(botId).chats.sent(chatId);
    }

    /** Waits until the bot has sent at least {@code count} messages to the chat, or {@code timeout} passed. */
    public List<BotMessage> awaitSent(long botId, long chatId, int count, Duration timeout) {
        try {
            return known(botId).chats.awaitSent(chatId, count, System.nanoTime() + timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return known(botId).chats.sent(chatId);
        }
    }

    /** Waits until the bot sent the chat a message with an id above {@code afterMessageId}; returns those. */
    public List<BotMessage> awaitSentAfter(long botId, long chatId, long afterMessageId, Duration timeout) {
        try {
            return known(botId).chats.awaitSentAfter(chatId, afterMessageId, System.nanoTime() + timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    // ---- Java API: the record and faults ----------------------------------------------------------------------------

    /** Every call the server saw. */
    public CallRecord record() {
        return record;
    }

    /** Everything users did, in order. */
    public List<UserEvent> userEvents() {
        return journal.events();
    }

    /**
     * Every message bots sent (the last {@link SandboxConfig#recordLimit()} with a limit), in order, as first sent;
     * {@code json} is null for a message its chat no longer keeps ({@link SandboxConfig#chatHistory()}).
     */
    public List<BotMessage> allSent() {
        List<BotMessage> out = new ArrayList<>();
        for (BotMessage m : journal.sends()) {
            Bot bot = bots.get(m.botId());
            out.add(new BotMessage(m.botId(), m.chatId(), m.messageId(), m.text(), m.replyToMessageId(),
                    m.sentAtMillis(), m.editCount(), bot == null ? null : bot.chats.json(m.chatId(), m.messageId())));
        }
        return out;
    }

    /** Update → reply latency and duplicates of one bot (0: all) for user messages since {@code sinceMillis}. */
    public LatencyReport report(long botId, long sinceMillis) {
        return report(botId == 0 ? Set.of() : Set.of(botId), sinceMillis);
    }

    /** As {@link #report(long, long)} over several bots (empty: all). */
    public LatencyReport report(Set<Long> botIds, long sinceMillis) {
        return LatencyReport.of(journal.events(), journal.sends(), botIds, sinceMillis);
    }

    /**
     * Waits until the report over {@code botIds} counts at least {@code expected} replies (answers and duplicates),
     * or {@code timeout} passed; returns the report as it then stands.
     */
    public LatencyReport awaitReport(Set<Long> botIds, long sinceMillis, long expected, Duration timeout) {
        // Every bot message counted is an answer or a duplicate: waiting for enough of them is waiting for the report.
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        long replies = 0;
        try {
            while (true) {
                List<BotMessage> news = new ArrayList<>();
                seen = journal.sendsFrom(seen, news);
                replies += news.stream().filter(m -> (botIds.isEmpty() || botIds.contains(m.botId()))
                        && m.sentAtMillis() >= sinceMillis).count();
                if (replies >= expected || System.nanoTime() >= deadline) {
                    break;
                }
                journal.awaitSend(seen, deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return report(botIds, sinceMillis);
    }

    /** The chaos suite's checks over everything since the start or the last {@link #resetVerdict()}. */
    public Verdict verdict() {
        // Calls first: a reply whose sendMessage is being recorded is then in the ledger already or counted later.
        CallChecks.Snapshot calls = record.checks();
        return Verdict.of(clock.millis(), ledger.snapshot(clock.millis()), calls);
    }

    /**
     * Waits until no user message is pending (every one said is answered) or {@code timeout} passed; returns the
     * verdict as it then stands.
     */
    public Verdict awaitVerdict(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!ledger.nothingPending() && System.nanoTime() < deadline) {
                int seen = journal.sendCount();
                if (ledger.nothingPending()) {
                    break;
                }
                journal.awaitSend(seen, deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return verdict();
    }

    /**
     * Starts the verdict's counts afresh now (e.g. when a chaos run starts, after its warm-up): messages waiting now
     * no longer count, nor calls before; the polls open now stay open.
     */
    public void resetVerdict() {
        ledger.reset(clock.millis());
        record.resetChecks();
    }

    /** The ids of the bots the server knows (that called it, or were registered or named), ascending. */
    public List<Long> botIds() {
        return new TreeSet<>(bots.keySet()).stream().collect(Collectors.toList());
    }

    public void injectFault(FaultRule rule) {
        faults.add(rule);
    }

    public List<FaultRule> activeFaults() {
        return faults.active();
    }

    public void clearFaults() {
        faults.clear();
    }

    /** Stops the server at once: parked polls and open connections are closed unanswered. */
    @Override
    public void close() {
        for (Bot bot : bots.values()) {
            bot.updates.abandonParked();
        }
        http.stop(0);
        pool.shutdownNow();
        if (ownClock != null) {
            ownClock.close();
        }
    }
}

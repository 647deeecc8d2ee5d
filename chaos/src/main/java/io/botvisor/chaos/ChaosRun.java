package io.botvisor.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.botvisor.sandbox.Fault;
import io.botvisor.sandbox.FaultRule;
import io.botvisor.sandbox.SandboxConfig;
import io.botvisor.sandbox.SandboxServer;
import io.botvisor.sandbox.Verdict;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One chaos run: the sandbox (in this JVM, seeded), a fleet of echo bots under {@code botvisor run} on its embedded
 * database, a steady stream of user messages, faults injected by the sandbox, and for the run's duration one action
 * after another ({@link Actions}); then the end: faults cleared, every message given time to be answered, every bot
 * to be RUNNING, and the checks ({@link Checks}). Not thread-safe: one call of {@link #run}.
 */
final class ChaosRun {
    /** How long the end waits for the last answers and for every bot to run again. */
    static final Duration SETTLE = Duration.ofMinutes(3);
    static final Duration START = Duration.ofMinutes(5);

    record Settings(int bots, Duration duration, long seed, Path stateDir, double rate, int chats, Duration every,
                    Path home) {
    }

    private final Settings s;
    private final PrintStream out;
    private final long startedAt = System.currentTimeMillis();

    ChaosRun(Settings settings, PrintStream out) {
        this.s = settings;
        this.out = out;
    }

    Checks.Outcome run() throws Exception {
        Path chaosDir = s.stateDir().resolve("chaos");
        Files.createDirectories(chaosDir);
        Random random = new Random(s.seed());
        say("seed %d, %d bots, %s, %.1f messages/s over %d chats a bot, an action every ~%d s; state dir %s",
                s.seed(), s.bots(), s.duration(), s.rate(), s.chats(), s.every().toSeconds(), s.stateDir());
        try (SandboxServer sandbox = SandboxServer.start(SandboxConfig.defaults().withPort(0).withSeed(s.seed())
                .withThreads(Math.max(4, Math.min(32, s.bots()))))) {
            Fleet fleet = new Fleet(s.bots(), sandbox.url(), chaosDir);
            fleet.tokens().forEach(sandbox::register);
            fleet.write(s.stateDir().resolve("fleet.yaml"));
            Operator op = new Operator(s.home(), s.stateDir().resolve("fleet.yaml"), s.stateDir(),
                    chaosDir.resolve("supervisor.log"));
            op.startSupervisor();
            try {
                if (!Operator.await(START, () -> op.allRunning(s.bots()))) {
                    say("the fleet did not start within %d s (see %s)", START.toSeconds(), chaosDir.resolve(
                            "supervisor.log"));
                    return Checks.Outcome.failedToStart(op.bots().values());
                }
                say("fleet RUNNING (supervisor pid %d)", op.supervisorPid());
                return chaos(sandbox, fleet, op, random, chaosDir);
            } finally {
                int code = op.stopSupervisor(Duration.ofSeconds(90));
                say("supervisor stopped (exit %d)", code);
            }
        }
    }

    private Checks.Outcome chaos(SandboxServer sandbox, Fleet fleet, Operator op, Random random, Path chaosDir)
            throws Exception {
        sandbox.resetVerdict();
        injectFaults(sandbox);
        MemoryWatch memory = new MemoryWatch();
        AtomicLong said = new AtomicLong();
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "chaos-timer");
            t.setDaemon(true);
            return t;
        });
        long periodMicros = Math.max(1, (long) (1_000_000 / s.rate()));
        timers.scheduleAtFixedRate(() -> {
            long i = said.getAndIncrement();
            int bot = (int) (i % s.bots());
            long chat = 1 + (i / s.bots()) % s.chats();
            try {
                sandbox.say(fleet.botId(bot), chat, chat, "m" + i, "chaos-" + s.seed() + "-" + i);
            } catch (RuntimeException e) {
                said.decrementAndGet(); // cannot happen in-process unless the sandbox is closing; not counted
            }
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
        timers.scheduleAtFixedRate(() -> memory.sample(op.supervisorPid(), op.bots().values().stream()
                .filter(b -> b.pid() > 0).map(Operator.BotView::pid).toList(), System.currentTimeMillis()),
                5, 5, TimeUnit.SECONDS);
        Actions actions = new Actions(op, sandbox, fleet, random, s.stateDir().resolve("fleet.yaml"), this::say);
        long end = System.nanoTime() + s.duration().toNanos();
        try {
            while (System.nanoTime() < end) {
                long pause = (long) (s.every().toMillis() * (0.5 + random.nextDouble()));
                long left = (end - System.nanoTime()) / 1_000_000;
                Thread.sleep(Math.max(0, Math.min(pause, left))); // the pace of the actions, not a wait for anything
                if (System.nanoTime() < end) {
                    actions.next();
                }
            }
        } finally {
            actions.undo(); // a stopped database is resumed, whatever happened
            timers.shutdownNow();
            timers.awaitTermination(10, TimeUnit.SECONDS);
        }
        sandbox.clearFaults();
        say("actions over (%s); %d messages said; waiting up to %d s for the last answers and every bot RUNNING",
                actions.summary(), said.get(), SETTLE.toSeconds());
        Verdict verdict = sandbox.awaitVerdict(SETTLE);
        boolean running = Operator.await(SETTLE, () -> op.allRunning(s.bots()));
        Checks.Outcome outcome = Checks.judge(verdict, running, op.bots().values(), Checks.database(s.stateDir()),
                memory.judge(Duration.ofMillis(System.currentTimeMillis() - startedAt)), actions.failures(),
                fleet.names());
        outcome.print(out, s);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("seed", s.seed());
        file.put("bots", s.bots());
        file.put("durationSeconds", s.duration().toSeconds());
        file.put("passed", outcome.passed());
        file.put("checks", outcome.checks());
        file.put("actions", actions.counts());
        file.put("sandbox", verdict);
        file.put("memorySamples", memory.samples());
        json.writeValue(chaosDir.resolve("verdict.json").toFile(), file);
        say("verdict written to %s", chaosDir.resolve("verdict.json"));
        return outcome;
    }

    /**
     * The faults the whole run lives with: server errors and slow answers on every method, connections dropped before
     * and after a send was applied (the uncertain send), 502s from a proxy on polls. 429 bursts are actions.
     */
    private static void injectFaults(SandboxServer sandbox) {
        sandbox.injectFault(FaultRule.fraction(0.01, Fault.status(500)));
        sandbox.injectFault(FaultRule.fraction(0.005, Fault.status(502)).forMethod("getUpdates"));
        sandbox.injectFault(FaultRule.fraction(0.005, Fault.dropBeforeApplying()));
        sandbox.injectFault(FaultRule.fraction(0.003, Fault.dropAfterApplying()).forMethod("sendMessage"));
        sandbox.injectFault(FaultRule.fraction(0.01, Fault.delay(Duration.ofMillis(1500))));
    }

    void say(String format, Object... args) {
        long t = (System.currentTimeMillis() - startedAt) / 1000;
        out.printf(Locale.ROOT, "chaos %02d:%02d " + format + "%n", concat(t / 60, t % 60, args));
        out.flush();
    }

    private static Object[] concat(long min, long sec, Object[] args) {
        Object[] all = new Object[args.length + 2];
        all[0] = min;
        all[1] = sec;
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }

    /** The fleet file: N echo bots, each token in a secrets file of its own. */
    static final class Fleet {
        private final int bots;
        private final String apiUrl;
        private final Path secrets;
        private final List<String> tokens = new ArrayList<>();

        Fleet(int bots, String apiUrl, Path chaosDir) throws IOException {
            this.bots = bots;
            this.apiUrl = apiUrl;
            this.secrets = chaosDir.resolve("secrets");
            Files.createDirectories(secrets);
            for (int i = 1; i <= bots; i++) {
                String secret = String.format(Locale.ROOT, "AAchaos%06dxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", i)
                        .substring(0, 35);
                tokens.add((5_000_000_000L + i) + ":" + secret);
            }
        }

        List<String> tokens() {
            return tokens;
        }

        long botId(int index) {
            return 5_000_000_001L + index;
        }

        /** The bots' names by their Telegram ids. */
        Map<Long, String> names() {
            Map<Long, String> out = new java.util.HashMap<>();
            for (int i = 0; i < bots; i++) {
                out.put(botId(i), id(i));
            }
            return out;
        }

        static String id(int index) {
            return "echo-" + (index + 1);
        }

        /** Writes the fleet file; {@code pollTimeouts} (by bot index) changes a bot's spec for a reload. */
        void write(Path file, Map<Integer, Integer> pollTimeouts) throws IOException {
            StringBuilder b = new StringBuilder();
            b.append("""
                    # Written by scripts/chaos: echo bots against its sandbox; the health settings make a stopped bot
                    # a hung one within seconds.
                    defaults:
                      health: { heartbeatInterval: 1s, heartbeatTimeout: 6s, startupTimeout: 60s }
                      stopTimeout: 15s
                      restart: { intensity: { maxRestarts: 1000, window: 60s } }
                    bots:
                    """);
            for (int i = 0; i < bots; i++) {
                Path env = secrets.resolve(id(i) + ".env");
                if (!Files.exists(env)) {
                    Files.writeString(env, "TELEGRAM_BOT_TOKEN=" + tokens.get(i) + "\n");
                    Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-------"));
                }
                b.append("  - { id: ").append(id(i)).append(", type: echo, secretsFile: ").append(env)
                        .append(", telegram: { apiUrl: \"").append(apiUrl).append("\", pollTimeout: ")
                        .append(pollTimeouts.getOrDefault(i, 20)).append("s } }\n");
            }
            Files.writeString(file, b.toString());
        }

        void write(Path file) throws IOException {
            write(file, Map.of());
        }

        int size() {
            return bots;
        }
    }
}

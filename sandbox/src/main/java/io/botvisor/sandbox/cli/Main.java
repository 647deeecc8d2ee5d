package io.botvisor.sandbox.cli;

import io.botvisor.sandbox.SandboxConfig;
import io.botvisor.sandbox.SandboxException;
import io.botvisor.sandbox.SandboxServer;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code botvisor sandbox}: runs a sandbox (a fake Telegram Bot API server on 127.0.0.1) until stopped, or, with a
 * subcommand, talks to a running one as a user ({@code say}, {@code chat}), as a load driver ({@code load}), as the
 * chaos suite's judge ({@code verdict}) or its fault injector ({@code fault}).
 * README, "Trying bots without Telegram: the sandbox". Runs on the main thread; the server owns its own threads.
 */
@Command(name = "botvisor sandbox",
        description = "Run a fake Telegram Bot API server on 127.0.0.1 (chats kept in memory), or talk to one.",
        subcommands = {SayCommand.class, ChatCommand.class, LoadCommand.class, VerdictCommand.class,
            FaultCommand.class})
public final class Main implements Callable<Integer> {

    /**
     * Calls, user messages and bot messages the record keeps: the last ~20 s at 5,000 calls a second, for reading
     * what just happened (the verdict counts everything regardless).
     */
    public static final int DEFAULT_RECORD_LIMIT = 100_000;
    /**
     * Messages each chat keeps (~200 bytes each: 1,000 chats cost ~40 MB at most). Older ones can no longer be edited
     * or pressed; a reply to one is still accepted.
     */
    public static final int DEFAULT_CHAT_HISTORY = 200;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Option(names = "--port", description = "TCP port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int port = SandboxConfig.DEFAULT_PORT;

    @Option(names = "--seed", description = "seed of update ids and fraction faults (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(names = "--threads", description = "request threads (default: ${DEFAULT-VALUE})")
    int threads = 8;

    @Option(names = "--verbose", description = "log one line per call (tokens redacted)")
    boolean verbose;

    @Option(names = "--record-limit", description = "calls, user messages and bot messages kept for the record and"
            + " reports; the oldest go first (default: ${DEFAULT-VALUE})")
    int recordLimit = DEFAULT_RECORD_LIMIT;

    @Option(names = "--chat-history", description = "messages each chat keeps (the verdict counts every one"
            + " regardless; default: ${DEFAULT-VALUE})")
    int chatHistory = DEFAULT_CHAT_HISTORY;

    public static void main(String[] args) {
        System.exit(run(args, System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with {@code in} as the chat's input; the exit status is returned (tests call this). */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine cli = new CommandLine(new Main(), new CommandLine.IFactory() {
            @Override
            @SuppressWarnings("unchecked")
            public <K> K create(Class<K> type) throws Exception {
                return type == ChatCommand.class ? (K) new ChatCommand(in) : defaults.create(type);
            }
        });
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof ControlClient.CliException || e instanceof IllegalArgumentException
                    || e instanceof SandboxException) {
                err.println(e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() throws InterruptedException {
        SandboxConfig config = SandboxConfig.defaults().withPort(port).withSeed(seed).withThreads(threads)
                .withVerbose(verbose).withRecordLimit(recordLimit).withChatHistory(chatHistory)
                .withLog(line -> System.err.println(line));
        SandboxServer server = SandboxServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "sandbox-stop"));
        stopped.await();
        return 0;
    }
}

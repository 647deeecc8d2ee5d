package io.botvisor.sandbox;

import java.util.function.Consumer;

/**
 * How a {@link SandboxServer} starts. Immutable; start from {@link #defaults()} and change with the withers.
 *
 * @param port the TCP port on 127.0.0.1; 0 picks a free one (tests)
 * @param clock the time of every rule and wait; a {@link ManualClock} in tests, null for real time
 * @param seed the seed of update ids and fraction faults: the same seed, the same run
 * @param threads the request pool's size (parked polls hold no thread)
 * @param acceptAnyToken true: any well-formed token is a bot; false: only {@link SandboxServer#register} ones
 * @param verbose log one line per call (tokens redacted)
 * @param log where log lines go (each already redacted); null for the JDK's System.Logger "io.botvisor.sandbox"
 * @param recordLimit how many calls, user events and bot sends the record and journal keep (the oldest go first);
 *     0 keeps everything (tests), a long-running server sets a limit
 * @param chatHistory how many messages each chat keeps (the oldest go first; a reply to a forgotten one is still
 *     accepted); the verdict's figures do not depend on it
 */
public record SandboxConfig(
        int port, SandboxClock clock, long seed, int threads, boolean acceptAnyToken, boolean verbose,
        Consumer<String> log, int recordLimit, int chatHistory) {

    /** The operator's default port (the same as a local telegram-bot-api server's). */
    public static final int DEFAULT_PORT = 8081;

    public SandboxConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("sandbox: port " + port + " is not a TCP port (expected 0-65535)");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("sandbox: threads " + threads + " is below 1");
        }
        if (recordLimit < 0) {
            throw new IllegalArgumentException("sandbox: record limit " + recordLimit + " is negative (0: no limit)");
        }
        if (chatHistory < 1) {
            throw new IllegalArgumentException("sandbox: chat history " + chatHistory + " is below 1");
        }
    }

    /** As before the chat history was configurable: each chat keeps its last 10,000 messages. */
    public SandboxConfig(int port, SandboxClock clock, long seed, int threads, boolean acceptAnyToken, boolean verbose,
                         Consumer<String> log, int recordLimit) {
        this(port, clock, seed, threads, acceptAnyToken, verbose, log, recordLimit, ChatState.KEPT);
    }

    /** As before the record limit existed: everything kept. */
    public SandboxConfig(int port, SandboxClock clock, long seed, int threads, boolean acceptAnyToken, boolean verbose,
                         Consumer<String> log) {
        this(port, clock, seed, threads, acceptAnyToken, verbose, log, 0);
    }

    /** Any free port, real time, seed 1, 4 threads, any token, quiet, everything recorded, 10,000 messages a chat. */
    public static SandboxConfig defaults() {
        return new SandboxConfig(0, null, 1, 4, true, false, null, 0, ChatState.KEPT);
    }

    public SandboxConfig withPort(int p) {
        return new SandboxConfig(p, clock, seed, threads, acceptAnyToken, verbose, log, recordLimit, chatHistory);
    }

    public SandboxConfig withClock(SandboxClock c) {
        return new SandboxConfig(port, c, seed, threads, acceptAnyToken, verbose, log, recordLimit, chatHistory);
    }

    public SandboxConfig withSeed(long s) {
        return new SandboxConfig(port, clock, s, threads, acceptAnyToken, verbose, log, recordLimit, chatHistory);
    }

    public SandboxConfig withThreads(int t) {
        return new SandboxConfig(port, clock, seed, t, acceptAnyToken, verbose, log, recordLimit, chatHistory);
    }

    public SandboxConfig withAcceptAnyToken(boolean any) {
        return new SandboxConfig(port, clock, seed, threads, any, verbose, log, recordLimit, chatHistory);
    }

    public SandboxConfig withVerbose(boolean v) {
        return new SandboxConfig(port, clock, seed, threads, acceptAnyToken, v, log, recordLimit, chatHistory);
    }

    public SandboxConfig withLog(Consumer<String> sink) {
        return new SandboxConfig(port, clock, seed, threads, acceptAnyToken, verbose, sink, recordLimit, chatHistory);
    }

    public SandboxConfig withRecordLimit(int limit) {
        return new SandboxConfig(port, clock, seed, threads, acceptAnyToken, verbose, log, limit, chatHistory);
    }

    public SandboxConfig withChatHistory(int messages) {
        return new SandboxConfig(port, clock, seed, threads, acceptAnyToken, verbose, log, recordLimit, messages);
    }
}

package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.botvisor.sandbox.cli.Main;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox's heap over a long run (scripts/bench/sandbox_memory.sh): a sandbox configured as {@code botvisor
 * sandbox} runs it (its default record limit and chat history) takes MESSAGES user messages over BOTS bots × CHATS
 * chats (said in-process with an idempotency key, as the control API's say does), each answered by its bot over real
 * HTTP (getUpdates up to 100 at a time, then a sendMessage replying to each, from WORKERS threads), 2,000 messages at
 * a time; every STEP
 * messages it collects the garbage and prints the heap in use. At the end it prints the verdict's figures. Not a test:
 * no timing, no threshold here (the script holds the target).
 *
 * <p>Usage: {@code MemoryBench MESSAGES BOTS CHATS STEP WORKERS}.
 */
public final class MemoryBench {

    private static final long BATCH = 2_000;

    private MemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        long messages = Long.parseLong(args[0]);
        int bots = Integer.parseInt(args[1]);
        int chats = Integer.parseInt(args[2]);
        long step = Long.parseLong(args[3]);
        int workers = Integer.parseInt(args[4]);
        SandboxConfig config = SandboxConfig.defaults().withThreads(8).withRecordLimit(Main.DEFAULT_RECORD_LIMIT)
                .withChatHistory(Main.DEFAULT_CHAT_HISTORY).withLog(line -> { });
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try (SandboxServer server = SandboxServer.start(config)) {
            List<ApiClient> clients = new ArrayList<>();
            long[] offsets = new long[bots];
            for (int b = 0; b < bots; b++) {
                clients.add(new ApiClient(server, (1000 + b) + ":bench"));
            }
            long start = System.nanoTime();
            System.out.printf("messages=0 heap_used_mb=%.1f%n", heapMb(memory));
            for (long said = 0; said < messages; ) {
                // Small batches, as a fleet that keeps up: the bots' queues stay short between checkpoints.
                long batch = Math.min(BATCH, messages - said);
                for (long i = said; i < said + batch; i++) {
                    int bot = (int) (i % bots);
                    long chat = 1 + (i / bots) % chats;
                    server.say(1000 + bot, chat, chat, "m" + i, "bench-" + i);
                }
                said += batch;
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < workers; w++) {
                    int first = w;
                    done.add(pool.submit(() -> {
                        for (int b = first; b < bots; b += workers) {
                            offsets[b] = answerAll(clients.get(b), offsets[b]);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                if (said % step == 0 || said == messages) {
                    System.out.printf("messages=%d heap_used_mb=%.1f seconds=%.0f%n", said, heapMb(memory),
                            (System.nanoTime() - start) / 1e9);
                }
            }
            Verdict v = server.awaitVerdict(Duration.ofSeconds(30));
            System.out.printf("verdict passed=%s said=%d answered=%d pending=%d duplicates=%d calls_kept=%d%n",
                    v.passed(), v.answered().figures().get("said"), v.answered().figures().get("answered"),
                    v.answered().count(), v.duplicates().figures().get("duplicates"), server.record().calls().size());
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Polls the bot until nothing is left, replying to each message; returns the next offset. */
    private static long answerAll(ApiClient bot, long offset) throws Exception {
        while (true) {
            ApiClient.Answer polled = call(bot, "getUpdates", Map.of("offset", offset, "limit", 100, "timeout", 0));
            JsonNode updates = polled.result();
            if (updates == null || updates.isEmpty()) {
                return offset;
            }
            for (JsonNode u : updates) {
                offset = u.get("update_id").asLong() + 1;
                JsonNode m = u.get("message");
                call(bot, "sendMessage", Map.of("chat_id", m.at("/chat/id").asLong(), "text", m.get("text").asText(),
                        "reply_to_message_id", m.get("message_id").asLong()));
            }
        }
    }

    /**
     * A call, tried again when its pooled connection turned out closed ("header parser received no bytes": the JDK
     * server closes connections idle for 30 s, the JDK client keeps them longer). Such a call never reached the
     * sandbox; were one applied, the verdict would show the duplicate.
     */
    private static ApiClient.Answer call(ApiClient bot, String method, Map<String, ?> params) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return bot.call(method, params);
            } catch (IOException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private static double heapMb(MemoryMXBean memory) {
        // Two collections: the first may leave what finalization or reference processing frees for the second.
        System.gc();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed() / 1048576.0;
    }
}

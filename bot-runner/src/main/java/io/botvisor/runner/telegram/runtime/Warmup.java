package io.botvisor.runner.telegram.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.botvisor.runner.telegram.EchoBot;
import io.botvisor.runner.telegram.Handlers;
import io.botvisor.runner.telegram.Update;
import io.botvisor.runner.telegram.transport.BotApiClient;
import io.botvisor.runner.telegram.transport.FloodGate;
import io.botvisor.runner.telegram.transport.IncomingUpdate;
import io.botvisor.runner.telegram.transport.OutboxPort;
import io.botvisor.runner.telegram.transport.OutgoingCall;
import io.botvisor.runner.telegram.transport.Poller;
import io.botvisor.runner.telegram.transport.PollerConfig;
import io.botvisor.runner.telegram.transport.Sender;
import io.botvisor.runner.telegram.transport.SenderConfig;
import io.botvisor.runner.telegram.transport.TransportCounters;
import io.botvisor.runner.telegram.transport.UncertainPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Telegram runtime's classes, loaded for the class-data archive: a poller and a sender talk to a stand-in Bot API
 * on 127.0.0.1 for a few calls (the JDK's HTTP client, Jackson, the transport), an update is routed and a cache
 * filled. Run by the child's class-data training only, before its drill life; every Telegram bot then maps these
 * classes from the archive instead of loading them from jars, privately, at every start.
 */
public final class Warmup {
    private static final String ME = "{\"ok\":true,\"result\":{\"id\":1,\"is_bot\":true,\"first_name\":\"w\","
            + "\"username\":\"warmup_bot\"}}";
    private static final String UPDATES = "{\"ok\":true,\"result\":[{\"update_id\":7,\"message\":{\"message_id\":1,"
            + "\"date\":1,\"chat\":{\"id\":5,\"type\":\"private\"},\"from\":{\"id\":5,\"is_bot\":false,"
            + "\"first_name\":\"u\"},\"text\":\"hi\"}}]}";
    private static final String SENT = "{\"ok\":true,\"result\":{\"message_id\":2,\"date\":1,\"chat\":{\"id\":5,"
            + "\"type\":\"private\"},\"text\":\"hi\"}}";

    private Warmup() {
    }

    /** Runs it; a failure is only printed (the archive then holds fewer classes, nothing else changes). */
    public static void run() {
        HttpServer server = null;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            AtomicBoolean gaveUpdates = new AtomicBoolean();
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                String body = path.endsWith("/getMe") ? ME
                        : path.endsWith("/getUpdates") ? (gaveUpdates.getAndSet(true) ? "{\"ok\":true,\"result\":[]}"
                                : UPDATES)
                        : path.endsWith("/sendMessage") ? SENT : "{\"ok\":true,\"result\":{\"url\":\"\"}}";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            server.start();
            exercise(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
        } catch (IOException | RuntimeException e) {
            System.err.println("cds-training: the Telegram warm-up failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (server != null) {
                server.stop(0);
            }
        }
    }

    private static void exercise(URI api) throws InterruptedException, IOException {
        ObjectMapper json = new ObjectMapper();
        BotApiClient client = new BotApiClient(api, "1:warmup", Duration.ofSeconds(5), Duration.ofSeconds(10), json);
        FloodGate gate = new FloodGate(System::nanoTime);
        CountDownLatch recorded = new CountDownLatch(1);
        Poller poller = new Poller("warmup", client, (List<IncomingUpdate> updates) -> {
            for (IncomingUpdate u : updates) {
                Update update = new Update(u.updateId(), json.readTree(u.json()));
                new Handlers().text(t -> { }).route(update);
            }
            recorded.countDown();
            return updates.size();
        }, gate, new PollerConfig(0, 100, List.of("message"), Duration.ofSeconds(1), Duration.ofSeconds(1)), 0,
                TransportCounters.NONE, e -> { }, Math::random);
        poller.start(Duration.ofSeconds(10));
        recorded.await(10, TimeUnit.SECONDS);
        poller.stop(Duration.ofSeconds(5));
        CountDownLatch sent = new CountDownLatch(1);
        AtomicBoolean taken = new AtomicBoolean();
        Sender sender = new Sender("warmup", client, new OutboxPort() {
            @Override
            public List<OutgoingCall> sendable(int limit) {
                return taken.getAndSet(true) ? List.of()
                        : List.of(new OutgoingCall(1, 5, "sendMessage", "{\"chat_id\":5,\"text\":\"hi\"}", 0,
                                false));
            }

            @Override
            public boolean sending(long id) {
                return true;
            }

            @Override
            public void sent(long id, Long telegramMessageId) {
                sent.countDown();
            }

            @Override
            public void uncertain(long id, String reason) {
            }

            @Override
            public void failed(long id, String reason) {
            }

            @Override
            public void requeue(long id, String reason) {
            }

            @Override
            public void resendOnce(long id) {
            }

            @Override
            public int migrateChat(long oldChatId, long newChatId) {
                return 0;
            }

            @Override
            public int requeueStray(java.util.Set<Long> inFlight) {
                return 0;
            }
        }, gate, SenderConfig.defaults(UncertainPolicy.RETRY_ONCE), TransportCounters.NONE, System::nanoTime,
                Math::random);
        sender.start();
        sender.wake();
        sent.await(10, TimeUnit.SECONDS);
        sender.stop(Duration.ofSeconds(5));
        com.github.benmanes.caffeine.cache.Cache<String, Object> cache =
                com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10).build();
        cache.put("k", "v");
        cache.invalidateAll(List.of("k"));
        Settings.from(Map.of());
        new EchoBot();
    }
}

package io.botvisor.runner.telegram.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A Bot API stand-in that answers each method from a script (in order; when a method's script is empty: an empty
 * OK for getUpdates, parked until the client goes away if {@code parkWhenIdle}, else {@code {"ok":true,"result":true}})
 * and records every call with its arrival time. For the poller's and sender's own tests; the faithful fake server is
 * the {@code sandbox} module's.
 */
final class ScriptedApi implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    record Seen(String method, JsonNode body, long atNanos) {
    }

    /** What to do with one call: answer {@code status}/{@code body}, or drop the connection. */
    record Reply(int status, String body, boolean dropConnection) {
        static Reply ok(String result) {
            return new Reply(200, "{\"ok\":true,\"result\":" + result + "}", false);
        }

        static Reply error(int code, String description, String parameters) {
            return new Reply(code, "{\"ok\":false,\"error_code\":" + code + ",\"description\":\"" + description
                    + "\"" + (parameters == null ? "" : ",\"parameters\":" + parameters) + "}", false);
        }

        static Reply drop() {
            return new Reply(0, null, true);
        }
    }

    final List<Seen> seen = new ArrayList<>();
    private final Map<String, BlockingQueue<Reply>> script = new ConcurrentHashMap<>();
    private final RawServer server;
    volatile boolean parkWhenIdle = true;
    /** While set, every sendMessage is held (after it is seen, before it is answered) until the latch opens. */
    volatile java.util.concurrent.CountDownLatch holdSends;

    ScriptedApi() throws IOException {
        server = new RawServer(this::on);
    }

    URI uri() {
        return server.uri();
    }

    ScriptedApi then(String method, Reply reply) {
        script.computeIfAbsent(method, m -> new LinkedBlockingQueue<>()).add(reply);
        return this;
    }

    static String updates(long... ids) {
        StringBuilder result = new StringBuilder("[");
        for (long id : ids) {
            result.append(result.length() > 1 ? "," : "").append("{\"update_id\":").append(id)
                    .append(",\"message\":{\"message_id\":").append(id).append(",\"chat\":{\"id\":").append(100 + id % 3)
                    .append("},\"text\":\"m").append(id).append("\"}}");
        }
        return result.append(']').toString();
    }

    private void on(Socket socket, RawServer.Request request) throws IOException {
        String path = request.head().substring(0, request.head().indexOf(" HTTP/1.1"));
        String method = path.substring(path.lastIndexOf('/') + 1);
        JsonNode body = JSON.readTree(request.body().isEmpty() ? "{}" : request.body());
        synchronized (seen) {
            seen.add(new Seen(method, body, System.nanoTime()));
        }
        java.util.concurrent.CountDownLatch hold = holdSends;
        if (hold != null && "sendMessage".equals(method)) {
            try {
                hold.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Reply reply = script.getOrDefault(method, new LinkedBlockingQueue<>()).poll();
        if (reply == null) {
            if ("getUpdates".equals(method) && body.path("timeout").asInt() > 0 && parkWhenIdle) {
                socket.getInputStream().read(); // parked until the client goes away
                return;
            }
            reply = Reply.ok("getUpdates".equals(method) ? "[]" : "true");
        }
        if (reply.dropConnection()) {
            socket.close();
            return;
        }
        RawServer.answer(socket, reply.status(), reply.body());
    }

    List<Seen> seen(String method) {
        synchronized (seen) {
            return seen.stream().filter(s -> s.method().equals(method)).toList();
        }
    }

    /** Waits (up to 20 s, for a slow shared machine) until {@code condition} holds. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

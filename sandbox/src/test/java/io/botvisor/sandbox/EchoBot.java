package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;

/**
 * A minimal echo bot for tests: long-polls on its own thread and replies to each message with its text (and confirms
 * before replying, as the frameworks do). Owns its thread; {@link #close()} ends it.
 */
public final class EchoBot implements AutoCloseable {

    private final ApiClient api;
    private final Thread thread;
    private volatile boolean stop;

    public EchoBot(SandboxServer server, String token) {
        this.api = new ApiClient(server, token);
        this.thread = new Thread(this::run, "echo-bot");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long offset = 0;
        while (!stop) {
            ApiClient.Answer answer;
            try {
                answer = api.call("getUpdates", Map.of("offset", offset, "timeout", 1));
                if (answer.status() != 200) {
                    continue;
                }
                for (JsonNode u : answer.result()) {
                    offset = u.get("update_id").asLong() + 1;
                    JsonNode m = u.get("message");
                    if (m != null && m.has("text")) {
                        api.call("sendMessage", Map.of("chat_id", m.at("/chat/id").asLong(), "text",
                                m.get("text").asText(), "reply_to_message_id", m.get("message_id").asLong()));
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                // a dropped connection: poll again, as a bot would (the test sees what went missing in the record)
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join(5000);
    }
}

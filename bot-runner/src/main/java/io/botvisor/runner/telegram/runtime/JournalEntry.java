package io.botvisor.runner.telegram.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One record of a bot's local journal ({@link Journal}), written while its database cannot be reached, and its
 * encoding: one JSON object per record ({@code t} names the kind). Immutable; the codec is stateless.
 */
sealed interface JournalEntry {

    /** An update received from Telegram and recorded here instead of the inbox; {@code json} is the whole update. */
    record Received(long updateId, String kind, Long chatId, String json, long atMillis) implements JournalEntry {
    }

    /**
     * An update handled from the journal, with the calls its handler queued (in order); {@code note} says how when it
     * was not the handler's own answer ({@code apologized}, {@code skipped}), else null.
     */
    record Handled(Received update, List<Call> calls, String note) implements JournalEntry {
    }

    /** A Bot API call a handler queued: {@code callId} is the journal's own (negative) id of it. */
    record Call(long callId, long chatId, String method, String payloadJson) {
    }

    /** The sender is about to make the call (one more attempt): written before the request, like the outbox's claim. */
    record Claimed(long callId) implements JournalEntry {
    }

    /** What became of a call: {@code state} is sent, uncertain, failed or queued (to be tried again). */
    record Outcome(long callId, String state, Long messageId, String reason) implements JournalEntry {
    }

    /** The encoding of entries as UTF-8 JSON. Thread-safe. */
    final class Codec {
        private final ObjectMapper json = new ObjectMapper();

        byte[] encode(JournalEntry e) {
            ObjectNode o = json.createObjectNode();
            if (e instanceof Received r) {
                o.put("t", "R");
                received(o, r);
            } else if (e instanceof Handled h) {
                o.put("t", "H");
                received(o, h.update());
                ArrayNode calls = o.putArray("calls");
                for (Call c : h.calls()) {
                    calls.addObject().put("id", c.callId()).put("chat", c.chatId()).put("method", c.method())
                            .put("payload", c.payloadJson());
                }
                if (h.note() != null) {
                    o.put("note", h.note());
                }
            } else if (e instanceof Claimed c) {
                o.put("t", "C").put("id", c.callId());
            } else if (e instanceof Outcome x) {
                o.put("t", "O").put("id", x.callId()).put("state", x.state());
                if (x.messageId() != null) {
                    o.put("msg", x.messageId());
                }
                if (x.reason() != null) {
                    o.put("reason", x.reason());
                }
            }
            return o.toString().getBytes(StandardCharsets.UTF_8);
        }

        JournalEntry decode(byte[] bytes) throws IOException {
            JsonNode o = json.readTree(bytes);
            String t = o.path("t").asText();
            return switch (t) {
                case "R" -> received(o);
                case "H" -> {
                    List<Call> calls = new ArrayList<>();
                    for (JsonNode c : o.path("calls")) {
                        calls.add(new Call(c.get("id").asLong(), c.get("chat").asLong(), c.get("method").asText(),
                                c.get("payload").asText()));
                    }
                    yield new Handled(received(o), calls, o.hasNonNull("note") ? o.get("note").asText() : null);
                }
                case "C" -> new Claimed(o.get("id").asLong());
                case "O" -> new Outcome(o.get("id").asLong(), o.get("state").asText(),
                        o.hasNonNull("msg") ? o.get("msg").asLong() : null,
                        o.hasNonNull("reason") ? o.get("reason").asText() : null);
                default -> throw new IOException("journal record of unknown kind \"" + t + "\" (expected R, H, C or O)");
            };
        }

        private static void received(ObjectNode o, Received r) {
            o.put("u", r.updateId()).put("kind", r.kind()).put("at", r.atMillis()).put("json", r.json());
            if (r.chatId() != null) {
                o.put("chat", r.chatId());
            }
        }

        private static Received received(JsonNode o) {
            return new Received(o.get("u").asLong(), o.get("kind").asText(),
                    o.hasNonNull("chat") ? o.get("chat").asLong() : null, o.get("json").asText(), o.get("at").asLong());
        }
    }
}

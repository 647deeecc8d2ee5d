package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * One bot's side of the server: its update queue and the getUpdates rules (design notes, "Telegram Bot API"), its
 * webhook, and the poll parked on it. Guarded by its own monitor; answers are handed to {@link Responder}s, which
 * write on the server's pool, so nothing here blocks on a socket.
 */
final class BotState {

    static final String CONFLICT_OTHER_POLL =
            "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
    static final String CONFLICT_WEBHOOK =
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
    static final String CONFLICT_SET_WEBHOOK = "Conflict: terminated by setWebhook request";
    static final long DAY = 86_400_000L;
    static final long WEEK = 7 * DAY;

    /** Where an answer goes; {@code label} names why for the record (a conflict, a timeout). */
    interface Responder {
        void answer(ApiResult result, String label);
    }

    private record Update(long id, String type, long createdAt, ObjectNode body) {
    }

    private static final class Parked {
        final Responder responder;
        final long offset;
        final int limit;
        SandboxClock.Cancellable timeout;

        Parked(Responder responder, long offset, int limit) {
            this.responder = responder;
            this.offset = offset;
            this.limit = limit;
        }
    }

    final long id;
    private final SandboxClock clock;
    private final Random random;
    private final ArrayDeque<Update> queue = new ArrayDeque<>();
    private long nextUpdateId;
    private long lastPushAt = Long.MIN_VALUE;
    private boolean jumpNext;
    private Set<String> allowedUpdates;
    private String webhookUrl = "";
    private Parked parked;
    private long previousOffset = Long.MIN_VALUE;
    private long previousStart = Long.MIN_VALUE;
    private long nextConflictAt = Long.MIN_VALUE;

    BotState(long id, SandboxClock clock, long seed) {
        this.id = id;
        this.clock = clock;
        this.random = new Random(seed ^ (id * 0x9E3779B97F4A7C15L));
        this.nextUpdateId = randomUpdateId();
    }

    private long randomUpdateId() {
        return 100_000_000L + random.nextInt(800_000_000);
    }

    // ---- getUpdates -------------------------------------------------------------------------------------------------

    synchronized void getUpdates(Params params, Responder responder) {
        if (!webhookUrl.isEmpty()) {
            conflict(responder, CONFLICT_WEBHOOK, "webhook is active");
            return;
        }
        long offset = params.integer("offset", 0);
        int limit = (int) Math.max(1, Math.min(100, params.integer("limit", 100)));
        long timeout = Math.max(0, Math.min(50, params.integer("timeout", 0)));
        params.object("allowed_updates").ifPresent(this::allow);

        long now = clock.millis();
        // Anti-hot-loop (Client.cpp, process_get_updates_query): a client asking the same offset again at once is
        // made to wait, and gets one update at a time.
        if (offset == previousOffset && timeout < 3 && now < previousStart + 3000) {
            timeout = 3;
        }
        if (offset == previousOffset && now < previousStart + 500) {
            limit = 1;
        }
        previousOffset = offset;
        previousStart = now;
        collect(offset, limit, timeout, responder);
    }

    private void allow(JsonNode list) {
        if (!list.isArray() || list.isEmpty()) {
            return;
        }
        Set<String> types = new HashSet<>();
        list.forEach(t -> types.add(t.asText().toLowerCase()));
        allowedUpdates = types;
    }

    private void collect(long offset, int limit, long timeout, Responder responder) {
        expire();
        long head = queue.isEmpty() ? nextUpdateId : queue.peekFirst().id;
        if (offset <= 0) {
            if (offset < 0 && !queue.isEmpty()) {
                offset += nextUpdateId;
            }
            offset = Math.max(offset, head);
        }
        // TQueue::get refuses an id more than 10 ahead of the tail ("in the future"); the server then answers from the
        // head and forgets nothing: an old offset after the id jump still gets the new updates.
        if (offset <= nextUpdateId + 10) {
            while (!queue.isEmpty() && queue.peekFirst().id < offset) {
                queue.pollFirst();
            }
        }
        ArrayNode result = JsonNodeFactory.instance.arrayNode();
        for (Update u : queue) {
            if (result.size() >= limit) {
                break;
            }
            if (u.id >= offset || offset > nextUpdateId + 10) {
                ObjectNode item = JsonNodeFactory.instance.objectNode();
                item.put("update_id", u.id);
                item.set(u.type, u.body);
                result.add(item);
            }
        }
        if (result.isEmpty() && timeout > 0) {
            if (parked != null) {
                Parked earlier = parked;
                parked = null;
                earlier.timeout.cancel();
                conflict(earlier.responder, CONFLICT_OTHER_POLL, "terminated by other getUpdates");
            }
            Parked poll = new Parked(responder, offset, limit);
            parked = poll;
            poll.timeout = clock.schedule(clock.millis() + timeout * 1000, () -> wake(poll));
            return;
        }
        responder.answer(ApiResult.ok(result), null);
    }

    /** Answers the parked poll (if {@code which} still is it) with what is there now: on an update, or at timeout. */
    private synchronized void wake(Parked which) {
        if (parked != which) {
            return;
        }
        parked = null;
        which.timeout.cancel();
        collect(which.offset, which.limit, 0, which.responder);
    }

    /** At most one 409 at once per 3 s (Client.cpp, fail_query_conflict); the others are answered 3 s later. */
    private void conflict(Responder responder, String description, String label) {
        long now = clock.millis();
        ApiResult answer = ApiResult.error(409, description);
        if (now >= nextConflictAt) {
            nextConflictAt = now + 3000;
            responder.answer(answer, label);
        } else {
            clock.schedule(now + 3000, () -> responder.answer(answer, label));
        }
    }

    private void expire() {
        long oldest = clock.millis() - DAY;
        queue.removeIf(u -> u.createdAt < oldest);
    }

    // ---- the queue --------------------------------------------------------------------------------------------------

    /** Adds an update (unless allowed_updates leaves its type out) and wakes a parked poll; returns its id or 0. */
    synchronized long push(String type, ObjectNode body) {
        if (allowedUpdates != null && !allowedUpdates.contains(type)) {
            return 0;
        }
        long now = clock.millis();
        expire();
        if (jumpNext || (lastPushAt != Long.MIN_VALUE && queue.isEmpty() && now - lastPushAt >= WEEK)) {
            jumpNext = false;
            long jumped = randomUpdateId();
            nextUpdateId = jumped == nextUpdateId ? jumped + 1 : jumped;
        }
        lastPushAt = now;
        long updateId = nextUpdateId++;
        queue.addLast(new Update(updateId, type, now, body));
        if (parked != null) {
            wake(parked);
        }
        return updateId;
    }

    /** The next update gets a random id, as after a week without updates. */
    synchronized void jumpNextUpdateId() {
        jumpNext = true;
    }

    synchronized long nextUpdateId() {
        return nextUpdateId;
    }

    synchronized int pendingUpdateCount() {
        expire();
        return queue.size();
    }

    // ---- webhooks ---------------------------------------------------------------------------------------------------

    synchronized ApiResult setWebhook(Params params) {
        String url = params.text("url").orElse("");
        if (url.isEmpty()) {
            return deleteWebhook(params);
        }
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            return ApiResult.badRequest("bad webhook: An HTTPS URL must be provided for webhook");
        }
        webhookUrl = url;
        if (params.bool("drop_pending_updates")) {
            queue.clear();
        }
        if (parked != null) {
            Parked earlier = parked;
            parked = null;
            earlier.timeout.cancel();
            conflict(earlier.responder, CONFLICT_SET_WEBHOOK, "terminated by setWebhook");
        }
        return ApiResult.ok(JsonNodeFactory.instance.booleanNode(true));
    }

    synchronized ApiResult deleteWebhook(Params params) {
        webhookUrl = "";
        if (params.bool("drop_pending_updates")) {
            queue.clear();
        }
        return ApiResult.ok(JsonNodeFactory.instance.booleanNode(true));
    }

    synchronized ApiResult webhookInfo() {
        ObjectNode info = JsonNodeFactory.instance.objectNode();
        info.put("url", webhookUrl);
        info.put("has_custom_certificate", false);
        info.put("pending_update_count", pendingUpdateCount());
        return ApiResult.ok(info);
    }

    /** Ends a parked poll at server close, answering nothing (its connection is closed). */
    synchronized void abandonParked() {
        if (parked != null) {
            parked.timeout.cancel();
            parked = null;
        }
    }
}

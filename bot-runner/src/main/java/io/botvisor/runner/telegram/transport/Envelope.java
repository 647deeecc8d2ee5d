package io.botvisor.runner.telegram.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.botvisor.runner.telegram.transport.ApiOutcome.Failure;
import io.botvisor.runner.telegram.transport.ApiOutcome.Kind;

/**
 * Reads a Bot API response (HTTP status and body) into an {@link ApiOutcome}: {@code {ok, result}} or
 * {@code {ok:false, error_code, description, parameters:{retry_after, migrate_to_chat_id}}}. Anything else (an HTML
 * error page from a proxy, a truncated body) is {@link Kind#SERVER}, described with a short redacted snippet.
 * Stateless and thread-safe.
 */
final class Envelope {
    private static final int SNIPPET = 120;
    /** The real server's answer while shutting down when it gives no retry_after (design notes). */
    private static final int DEFAULT_RETRY_AFTER = 5;

    private Envelope() {
    }

    static ApiOutcome parse(ObjectMapper json, String method, int status, String body) {
        JsonNode root;
        try {
            root = json.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            root = null;
        }
        if (root == null || !root.isObject() || !root.path("ok").isBoolean()) {
            return notEnvelope(status, body);
        }
        if (root.get("ok").booleanValue()) {
            JsonNode result = root.get("result");
            return result == null ? notEnvelope(status, body) : new ApiOutcome.Ok(result);
        }
        int code = root.path("error_code").canConvertToInt() ? root.path("error_code").intValue() : status;
        String description = root.path("description").asText("(no description)");
        JsonNode parameters = root.path("parameters");
        if (parameters.path("migrate_to_chat_id").canConvertToLong()) {
            return new Failure(Kind.MIGRATED, code, description, 0, parameters.get("migrate_to_chat_id").longValue());
        }
        if (code == 429 || parameters.path("retry_after").canConvertToInt()) {
            int seconds = parameters.path("retry_after").canConvertToInt()
                    ? Math.max(1, parameters.get("retry_after").intValue()) : DEFAULT_RETRY_AFTER;
            return new Failure(Kind.RETRY_AFTER, code, description, seconds, 0);
        }
        return Failure.of(kindOf(method, code, description), code, description);
    }

    private static Kind kindOf(String method, int code, String description) {
        if (code == 401 || code == 404 && "getMe".equals(method)) {
            return Kind.TOKEN_REJECTED;
        }
        if (code == 409) {
            return Kind.CONFLICT;
        }
        if (code == 403) {
            return Kind.FORBIDDEN;
        }
        if (code >= 400 && code < 500 && !"restart".equalsIgnoreCase(description.trim())) {
            return Kind.BAD_REQUEST;
        }
        return Kind.SERVER;
    }

    private static ApiOutcome notEnvelope(int status, String body) {
        String text = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        if (text.length() > SNIPPET) {
            text = text.substring(0, SNIPPET) + "…";
        }
        return Failure.of(Kind.SERVER, status, "response is not a Bot API envelope: \"" + text + "\"");
    }
}

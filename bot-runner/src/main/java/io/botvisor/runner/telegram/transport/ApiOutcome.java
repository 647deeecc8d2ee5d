package io.botvisor.runner.telegram.transport;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What one Bot API call came to: {@link Ok} with the envelope's {@code result}, or a {@link Failure} of one
 * {@link Kind}. Calls never throw for what Telegram or the network did; callers switch on {@link #kind()}.
 * Immutable.
 */
public sealed interface ApiOutcome permits ApiOutcome.Ok, ApiOutcome.Failure {

    /** Closed set of outcomes; each failure kind says what the caller may do next. */
    enum Kind {
        OK,
        /** 429: nothing of this bot may call Telegram for {@link Failure#retryAfterSeconds()}. */
        RETRY_AFTER,
        /** 401 (or 404 on getMe): the token is wrong or revoked; retrying cannot help. */
        TOKEN_REJECTED,
        /** 409: another process polls this token, or a webhook is set. */
        CONFLICT,
        /** The group became a supergroup: {@link Failure#migrateToChatId()} is where to send instead. */
        MIGRATED,
        /** 400 (and other 4xx): permanent for this call. */
        BAD_REQUEST,
        /** 403: the bot was blocked or kicked; permanent for this call. */
        FORBIDDEN,
        /** 5xx, "restart", or a response that is not the Bot API envelope: retry with backoff. */
        SERVER,
        /** Failed before the request could have reached the server (connect refused or timed out, DNS): retry. */
        NOT_SENT,
        /** The request was written but no complete response came back: a send may have been delivered. */
        UNCERTAIN
    }

    Kind kind();

    default boolean ok() {
        return kind() == Kind.OK;
    }

    /** The envelope's {@code result}. */
    record Ok(JsonNode result) implements ApiOutcome {
        @Override
        public Kind kind() {
            return Kind.OK;
        }
    }

    /**
     * A failed call. {@code errorCode} is the envelope's (or the HTTP status; 0 when no response came back);
     * {@code description} is redacted and meant for logs and the outbox's reason column.
     */
    record Failure(Kind kind, int errorCode, String description, int retryAfterSeconds, long migrateToChatId)
            implements ApiOutcome {
        public Failure {
            if (kind == Kind.OK) {
                throw new IllegalArgumentException("a Failure cannot be of kind OK");
            }
            description = Redaction.redact(description);
        }

        static Failure of(Kind kind, int errorCode, String description) {
            return new Failure(kind, errorCode, description, 0, 0);
        }

        /** One line for logs and reasons: {@code 400 Bad Request: chat not found}. */
        public String reason() {
            return errorCode > 0 ? errorCode + " " + description : description;
        }
    }
}

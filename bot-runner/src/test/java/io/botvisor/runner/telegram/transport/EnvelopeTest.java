package io.botvisor.runner.telegram.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.botvisor.runner.telegram.transport.ApiOutcome.Failure;
import io.botvisor.runner.telegram.transport.ApiOutcome.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
    private final ObjectMapper json = new ObjectMapper();

    private ApiOutcome parse(String method, int status, String body) {
        return Envelope.parse(json, method, status, body);
    }

    @Test
    void okEnvelopeGivesItsResult() {
        ApiOutcome outcome = parse("getMe", 200, "{\"ok\":true,\"result\":{\"id\":7,\"username\":\"b\"}}");
        assertThat(outcome).isInstanceOf(ApiOutcome.Ok.class);
        assertThat(((ApiOutcome.Ok) outcome).result().path("username").asText()).isEqualTo("b");
    }

    @ParameterizedTest(name = "{0} {1} \"{2}\" -> {3}")
    @CsvSource(delimiter = '|', value = {
        "getUpdates  | 401 | Unauthorized                                  | TOKEN_REJECTED",
        "getMe       | 404 | Not Found                                     | TOKEN_REJECTED",
        "sendMessage | 404 | Not Found                                     | BAD_REQUEST",
        "getUpdates  | 409 | Conflict: terminated by other getUpdates request | CONFLICT",
        "sendMessage | 400 | Bad Request: chat not found                   | BAD_REQUEST",
        "sendMessage | 403 | Forbidden: bot was blocked by the user        | FORBIDDEN",
        "sendMessage | 500 | Internal Server Error                         | SERVER",
        "getUpdates  | 502 | Bad Gateway                                   | SERVER",
        "getUpdates  | 400 | restart                                       | SERVER",
    })
    void errorEnvelopeKinds(String method, int code, String description, Kind kind) {
        Failure failure = (Failure) parse(method, code,
                "{\"ok\":false,\"error_code\":" + code + ",\"description\":\"" + description + "\"}");
        assertThat(failure.kind()).isEqualTo(kind);
        assertThat(failure.reason()).isEqualTo(code + " " + description);
    }

    @Test
    void tooManyRequestsCarriesRetryAfter() {
        Failure failure = (Failure) parse("sendMessage", 429, "{\"ok\":false,\"error_code\":429,"
                + "\"description\":\"Too Many Requests: retry after 17\",\"parameters\":{\"retry_after\":17}}");
        assertThat(failure.kind()).isEqualTo(Kind.RETRY_AFTER);
        assertThat(failure.retryAfterSeconds()).isEqualTo(17);
    }

    @Test
    void tooManyRequestsWithoutRetryAfterWaitsFiveSeconds() {
        Failure failure = (Failure) parse("getUpdates", 429, "{\"ok\":false,\"error_code\":429,"
                + "\"description\":\"Too Many Requests\"}");
        assertThat(failure.retryAfterSeconds()).isEqualTo(5);
    }

    @Test
    void migrationCarriesA64BitChatId() {
        Failure failure = (Failure) parse("sendMessage", 400, "{\"ok\":false,\"error_code\":400,\"description\":"
                + "\"Bad Request: group chat was upgraded to a supergroup chat\","
                + "\"parameters\":{\"migrate_to_chat_id\":-1001234567890123}}");
        assertThat(failure.kind()).isEqualTo(Kind.MIGRATED);
        assertThat(failure.migrateToChatId()).isEqualTo(-1001234567890123L);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "<html><body>502 Bad Gateway</body></html>",
        "{\"result\":[]}",
        "[1,2]",
        "{\"ok\":true}",
        "{\"ok\":\"yes\",\"result\":1}",
        "{\"ok\":true,\"result\":[",
    })
    void bodyThatIsNotAnEnvelopeIsAServerError(String body) {
        Failure failure = (Failure) parse("getUpdates", 200, body);
        assertThat(failure.kind()).isEqualTo(Kind.SERVER);
        assertThat(failure.description()).startsWith("response is not a Bot API envelope: \"");
    }

    @Test
    void emptyBodyIsAServerError() {
        assertThat(parse("getUpdates", 502, "").kind()).isEqualTo(Kind.SERVER);
    }

    @Test
    void snippetOfANonEnvelopeIsShortAndRedacted() {
        String body = "<html>error at /bot" + RedactionTest.TOKEN + "/getUpdates " + "x".repeat(500) + "</html>";
        Failure failure = (Failure) parse("getUpdates", 500, body);
        assertThat(failure.description()).contains("/bot123456789:***/").doesNotContain("AAHdqTcvCH1vGWJx")
                .hasSizeLessThan(200);
    }
}

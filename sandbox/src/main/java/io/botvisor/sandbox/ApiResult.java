package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One HTTP answer: the Bot API envelope ({@code {"ok":true,"result":…}} or {@code {"ok":false,"error_code":N,
 * "description":"…","parameters":{…}}}), or a raw body (a proxy's HTML 502). Immutable.
 */
record ApiResult(int status, String contentType, JsonNode envelope, String rawBody) {

    static ApiResult ok(JsonNode result) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("ok", true);
        body.set("result", result);
        return new ApiResult(200, "application/json", body, null);
    }

    static ApiResult error(int code, String description) {
        return error(code, description, null);
    }

    static ApiResult error(int code, String description, ObjectNode parameters) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("ok", false);
        body.put("error_code", code);
        body.put("description", description);
        if (parameters != null) {
            body.set("parameters", parameters);
        }
        return new ApiResult(code, "application/json", body, null);
    }

    static ApiResult badRequest(String what) {
        return error(400, "Bad Request: " + what);
    }

    static ApiResult raw(int status, String contentType, String body) {
        return new ApiResult(status, contentType, null, body);
    }

    /** A control endpoint's answer: plain JSON, no envelope. */
    static ApiResult json(int status, JsonNode body) {
        return new ApiResult(status, "application/json", body, null);
    }
}

package io.botvisor.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A request's parameters, merged from the query string and the body, as the real server takes them: a GET query,
 * an {@code application/x-www-form-urlencoded} body or an {@code application/json} body (body values win). Form and
 * query values are strings; a JSON body keeps its types, and a string holding JSON (a form's {@code reply_markup}) is
 * parsed on demand. Immutable once built.
 */
final class Params {

    private final ObjectNode values;
    private final ObjectMapper json;

    private Params(ObjectNode values, ObjectMapper json) {
        this.values = values;
        this.json = json;
    }

    static Params parse(String rawQuery, String contentType, byte[] body, ObjectMapper json) {
        ObjectNode values = JsonNodeFactory.instance.objectNode();
        putForm(values, rawQuery);
        String type = contentType == null ? "" : contentType.toLowerCase();
        if (body.length > 0) {
            String text = new String(body, StandardCharsets.UTF_8);
            if (type.startsWith("application/json")) {
                try {
                    JsonNode node = json.readTree(text);
                    if (!node.isObject()) {
                        throw new BadParams("the JSON body is not an object");
                    }
                    values.setAll((ObjectNode) node);
                } catch (JsonProcessingException e) {
                    throw new BadParams("the JSON body does not parse: " + e.getOriginalMessage());
                }
            } else if (type.startsWith("multipart/")) {
                throw new BadParams("multipart bodies are not supported by the sandbox (send JSON or a form)");
            } else {
                putForm(values, text);
            }
        }
        return new Params(values, json);
    }

    static Params of(ObjectNode values, ObjectMapper json) {
        return new Params(values, json);
    }

    private static void putForm(ObjectNode into, String form) {
        if (form == null || form.isEmpty()) {
            return;
        }
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            into.put(key, value);
        }
    }

    ObjectNode asJson() {
        return values.deepCopy();
    }

    boolean has(String name) {
        JsonNode node = values.get(name);
        return node != null && !node.isNull() && !(node.isTextual() && node.asText().isEmpty());
    }

    Optional<String> text(String name) {
        return has(name) ? Optional.of(values.get(name).asText()) : Optional.empty();
    }

    /** An integer parameter; a value that is not one is a 400 the way the real server words it. */
    Optional<Long> integer(String name) {
        if (!has(name)) {
            return Optional.empty();
        }
        JsonNode node = values.get(name);
        if (node.isIntegralNumber()) {
            return Optional.of(node.asLong());
        }
        try {
            return Optional.of(Long.parseLong(node.asText().trim()));
        } catch (NumberFormatException e) {
            throw new BadParams("field \"" + name + "\" must be a valid Number");
        }
    }

    long integer(String name, long fallback) {
        return integer(name).orElse(fallback);
    }

    boolean bool(String name) {
        if (!has(name)) {
            return false;
        }
        JsonNode node = values.get(name);
        return node.isBoolean() ? node.asBoolean() : "true".equalsIgnoreCase(node.asText()) || "1".equals(node.asText());
    }

    /** A parameter holding an object or array: as JSON, or as a string holding JSON. */
    Optional<JsonNode> object(String name) {
        if (!has(name)) {
            return Optional.empty();
        }
        JsonNode node = values.get(name);
        if (node instanceof TextNode) {
            try {
                return Optional.of(json.readTree(node.asText()));
            } catch (JsonProcessingException e) {
                throw new BadParams("can't parse " + name + " JSON object");
            }
        }
        return Optional.of(node);
    }

    /** A parameter the request got wrong: answered 400 "Bad Request: …". */
    static final class BadParams extends RuntimeException {
        BadParams(String message) {
            super(message);
        }
    }
}

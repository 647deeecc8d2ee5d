package io.botvisor.supervisor.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a JSON document against docs/status.schema.json: the part of JSON Schema that file uses ({@code type} with
 * a list of types, {@code enum}, {@code const}, {@code properties}, {@code required}, {@code additionalProperties},
 * {@code items}, {@code minimum}, {@code maximum}, {@code format: date-time}); any other keyword fails the check, so
 * the schema cannot grow past what is checked. Test fixture; stateless.
 */
public final class SchemaCheck {
    /** The schema of status --json and status.json, from the project's docs (tests run in the module directory). */
    public static final Path STATUS_SCHEMA = Path.of("..", "docs", "status.schema.json");
    private static final List<String> KNOWN = List.of("$schema", "title", "description", "type", "enum", "const",
            "properties", "required", "additionalProperties", "items", "minimum", "maximum", "format");

    private SchemaCheck() {
    }

    public static JsonNode statusSchema() {
        try {
            return new ObjectMapper().readTree(STATUS_SCHEMA.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every way {@code doc} breaks {@code schema}, each with its JSON pointer; empty when it fits. */
    public static List<String> problems(JsonNode schema, JsonNode doc) {
        List<String> out = new ArrayList<>();
        check(schema, doc, "", out);
        return out;
    }

    private static void check(JsonNode schema, JsonNode doc, String at, List<String> out) {
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KNOWN.contains(k)) {
                out.add(at + ": the schema uses '" + k + "', which this check does not know");
            }
        }
        JsonNode type = schema.get("type");
        if (type != null) {
            List<String> types = new ArrayList<>();
            if (type.isArray()) {
                type.forEach(t -> types.add(t.asText()));
            } else {
                types.add(type.asText());
            }
            if (types.stream().noneMatch(t -> is(t, doc))) {
                out.add(at + ": " + doc + " is not of type " + types);
                return;
            }
        }
        if (schema.has("const") && !schema.get("const").equals(doc)) {
            out.add(at + ": " + doc + " is not " + schema.get("const"));
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode v : schema.get("enum")) {
                found |= v.equals(doc);
            }
            if (!found) {
                out.add(at + ": " + doc + " is not one of " + schema.get("enum"));
            }
        }
        if (doc.isNumber()) {
            if (schema.has("minimum") && doc.asDouble() < schema.get("minimum").asDouble()) {
                out.add(at + ": " + doc + " is below " + schema.get("minimum"));
            }
            if (schema.has("maximum") && doc.asDouble() > schema.get("maximum").asDouble()) {
                out.add(at + ": " + doc + " is above " + schema.get("maximum"));
            }
        }
        if (doc.isTextual() && "date-time".equals(schema.path("format").asText())) {
            try {
                Instant.parse(doc.asText());
            } catch (DateTimeParseException e) {
                out.add(at + ": " + doc + " is not a date-time");
            }
        }
        if (doc.isObject()) {
            JsonNode props = schema.path("properties");
            for (JsonNode r : schema.path("required")) {
                if (!doc.has(r.asText())) {
                    out.add(at + ": required field '" + r.asText() + "' is missing");
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String where = at + "/" + f.getKey();
                if (props.has(f.getKey())) {
                    check(props.get(f.getKey()), f.getValue(), where, out);
                } else if (schema.has("additionalProperties")) {
                    JsonNode extra = schema.get("additionalProperties");
                    if (extra.isBoolean() && !extra.asBoolean()) {
                        out.add(where + ": the schema has no field '" + f.getKey() + "'");
                    } else if (extra.isObject()) {
                        check(extra, f.getValue(), where, out);
                    }
                }
            }
        }
        if (doc.isArray() && schema.has("items")) {
            for (int i = 0; i < doc.size(); i++) {
                check(schema.get("items"), doc.get(i), at + "/" + i, out);
            }
        }
    }

    private static boolean is(String type, JsonNode doc) {
        return switch (type) {
            case "object" -> doc.isObject();
            case "array" -> doc.isArray();
            case "string" -> doc.isTextual();
            case "integer" -> doc.isIntegralNumber();
            case "number" -> doc.isNumber();
            case "boolean" -> doc.isBoolean();
            case "null" -> doc.isNull();
            default -> throw new IllegalArgumentException("unknown type " + type);
        };
    }
}

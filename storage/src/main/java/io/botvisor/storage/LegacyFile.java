package io.botvisor.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A legacy bot-state file (docs/legacy-json.md), read and validated as a whole: every problem is collected with its
 * JSON path before anything is returned. Immutable once read.
 */
public record LegacyFile(String bot, List<User> users, List<Profile> profiles, List<Conversation> conversations,
                         List<Message> messages) {
    public static final String FORMAT = "botvisor-legacy-v1";
    /**
     * The largest file {@link #read(Path)} reads. The whole file is held in memory, as a tree: the import's heap peaks
     * at about 6 times the file (measured: a 30 MiB file of 200,000 short messages, 172 MiB live); 16 MiB leaves room
     * in the launcher's 256 MiB heap for files denser than that.
     */
    public static final long DEFAULT_MAX_BYTES = 16L << 20;
    /** The largest cap {@link #read(Path, long)} takes: the file is read into one array. */
    public static final long MAX_BYTES_LIMIT = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    public record User(long id, String username, String firstName, String lastName, String languageCode,
                       Instant createdAt, String dataJson) {
    }

    public record Profile(String id, String name, String personaJson) {
    }

    public record Conversation(long id, Long userId, String title, Instant startedAt, String stateJson) {
    }

    public record Message(long conversationId, long id, Instant at, boolean fromUser, Long userId, String text) {
    }

    /** As {@link #read(Path, long)} with {@link #DEFAULT_MAX_BYTES}. */
    public static LegacyFile read(Path file) {
        return read(file, DEFAULT_MAX_BYTES);
    }

    /**
     * Reads and validates {@code file}, refusing one of more than {@code maxBytes} (from 1 to
     * {@link #MAX_BYTES_LIMIT}) before reading it.
     *
     * @throws InvalidLegacyFileException with every problem found, or the file's size and the cap
     */
    public static LegacyFile read(Path file, long maxBytes) {
        if (maxBytes < 1 || maxBytes > MAX_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxBytes " + maxBytes + " is out of range (expected 1 to "
                    + MAX_BYTES_LIMIT + ")");
        }
        JsonNode root;
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw tooLarge(file, bytes(size), maxBytes);
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                // The size may have been wrong (a file still growing, a pipe): never read past the cap.
                bytes = in.readNBytes((int) maxBytes + 1);
            }
            if (bytes.length > maxBytes) {
                throw tooLarge(file, "more than " + bytes(maxBytes) + " as read", maxBytes);
            }
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InvalidLegacyFileException(file.toString(), List.of("$: not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")")));
        } catch (IOException e) {
            throw new InvalidLegacyFileException(file.toString(), List.of("$: cannot read the file: " + e));
        }
        Reader r = new Reader();
        LegacyFile parsed = r.file(root);
        if (!r.problems.isEmpty()) {
            throw new InvalidLegacyFileException(file.toString(), r.problems);
        }
        return parsed;
    }

    private static InvalidLegacyFileException tooLarge(Path file, String size, long maxBytes) {
        return new InvalidLegacyFileException(file.toString(), List.of("the file is " + size + ", over the cap of "
                + bytes(maxBytes) + " (split the file, or raise the cap with --max-bytes and the heap with "
                + "BOTVISOR_JAVA_OPTS=-Xmx…, about 8 times the file)"));
    }

    /** {@code 1048576 bytes (1.0 MiB)}: exact, and readable. */
    static String bytes(long n) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return n + " bytes" + (u < 0 ? "" : String.format(Locale.ROOT, " (%.1f %s)", v, units[u]));
    }

    /** One pass over the tree; problems accumulate, values of bad fields come back null. Single use. */
    private static final class Reader {
        final List<String> problems = new ArrayList<>();

        LegacyFile file(JsonNode root) {
            if (root == null || !root.isObject()) {
                problems.add("$: expected an object with \"format\": \"" + FORMAT + "\"");
                return null;
            }
            keys(root, "$", Set.of("format", "bot", "users", "profiles", "conversations"));
            if (!FORMAT.equals(root.path("format").asText(null))) {
                problems.add("$.format: " + show(root.path("format")) + " is not supported (expected \"" + FORMAT + "\")");
            }
            String bot = optText(root, "$", "bot");
            List<User> users = new ArrayList<>();
            Set<Long> userIds = new HashSet<>();
            for (JsonNode u : list(root, "$", "users")) {
                String p = "$.users[" + users.size() + "]";
                keys(u, p, Set.of("id", "username", "firstName", "lastName", "languageCode", "createdAt", "data"));
                Long id = id(u, p);
                if (id != null && !userIds.add(id)) {
                    problems.add(p + ".id: " + id + " appears twice (expected each user once)");
                }
                users.add(new User(id == null ? 0 : id, optText(u, p, "username"), optText(u, p, "firstName"),
                        optText(u, p, "lastName"), optText(u, p, "languageCode"), optInstant(u, p, "createdAt"),
                        optObject(u, p, "data")));
            }
            List<Profile> profiles = new ArrayList<>();
            Set<String> profileIds = new HashSet<>();
            for (JsonNode n : list(root, "$", "profiles")) {
                String p = "$.profiles[" + profiles.size() + "]";
                keys(n, p, Set.of("id", "name", "persona"));
                String id = reqText(n, p, "id");
                if (id != null && !profileIds.add(id)) {
                    problems.add(p + ".id: \"" + id + "\" appears twice (expected each profile once)");
                }
                profiles.add(new Profile(id, reqText(n, p, "name"), optObject(n, p, "persona")));
            }
            List<Conversation> conversations = new ArrayList<>();
            List<Message> messages = new ArrayList<>();
            Set<Long> conversationIds = new HashSet<>();
            for (JsonNode n : list(root, "$", "conversations")) {
                String p = "$.conversations[" + conversations.size() + "]";
                keys(n, p, Set.of("id", "userId", "title", "startedAt", "state", "messages"));
                Long id = id(n, p);
                if (id != null && !conversationIds.add(id)) {
                    problems.add(p + ".id: " + id + " appears twice (expected each conversation once)");
                }
                Long userId = userRef(n, p, userIds);
                conversations.add(new Conversation(id == null ? 0 : id, userId, optText(n, p, "title"),
                        optInstant(n, p, "startedAt"), optObject(n, p, "state")));
                Set<Long> messageIds = new HashSet<>();
                int i = 0;
                for (JsonNode m : list(n, p, "messages")) {
                    String mp = p + ".messages[" + i++ + "]";
                    keys(m, mp, Set.of("id", "at", "from", "userId", "text"));
                    Long mid = id(m, mp);
                    if (mid != null && !messageIds.add(mid)) {
                        problems.add(mp + ".id: " + mid + " appears twice in this conversation");
                    }
                    Instant at = optInstant(m, mp, "at");
                    if (at == null && m.path("at").isMissingNode()) {
                        problems.add(mp + ".at: missing (expected an ISO-8601 instant, e.g. 2024-03-01T09:15:00Z)");
                    }
                    String from = m.path("from").asText(null);
                    if (!"user".equals(from) && !"bot".equals(from)) {
                        problems.add(mp + ".from: " + show(m.path("from")) + " is not valid (expected \"user\" or \"bot\")");
                    }
                    messages.add(new Message(id == null ? 0 : id, mid == null ? 0 : mid, at, "user".equals(from),
                            userRef(m, mp, userIds), reqText(m, mp, "text")));
                }
            }
            return new LegacyFile(bot, users, profiles, conversations, messages);
        }

        void keys(JsonNode n, String path, Set<String> allowed) {
            if (!n.isObject()) {
                problems.add(path + ": " + show(n) + " is not an object");
                return;
            }
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!allowed.contains(k)) {
                    problems.add(path + "." + k + ": unknown key (expected one of " + new java.util.TreeSet<>(allowed) + ")");
                }
            }
        }

        Iterable<JsonNode> list(JsonNode n, String path, String key) {
            JsonNode v = n.path(key);
            if (v.isMissingNode() || v.isNull()) {
                return List.of();
            }
            if (!v.isArray()) {
                problems.add(path + "." + key + ": " + show(v) + " is not a list");
                return List.of();
            }
            return v;
        }

        Long id(JsonNode n, String path) {
            JsonNode v = n.path("id");
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                problems.add(path + ".id: " + show(v) + " is not an integer id");
                return null;
            }
            return v.asLong();
        }

        Long userRef(JsonNode n, String path, Set<Long> userIds) {
            JsonNode v = n.path("userId");
            if (v.isMissingNode() || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                problems.add(path + ".userId: " + show(v) + " is not an integer id");
                return null;
            }
            if (!userIds.contains(v.asLong())) {
                problems.add(path + ".userId: " + v.asLong() + " is not a user of this file (expected one of $.users[*].id)");
            }
            return v.asLong();
        }

        String optText(JsonNode n, String path, String key) {
            JsonNode v = n.path(key);
            if (v.isMissingNode() || v.isNull()) {
                return null;
            }
            if (!v.isTextual()) {
                problems.add(path + "." + key + ": " + show(v) + " is not a string");
                return null;
            }
            return v.asText();
        }

        String reqText(JsonNode n, String path, String key) {
            if (n.path(key).isMissingNode() || n.path(key).isNull()) {
                problems.add(path + "." + key + ": missing (expected a string)");
                return null;
            }
            return optText(n, path, key);
        }

        Instant optInstant(JsonNode n, String path, String key) {
            String s = optText(n, path, key);
            if (s == null) {
                return null;
            }
            try {
                // PostgreSQL keeps microseconds; truncating here keeps the file and the database comparable.
                return OffsetDateTime.parse(s).toInstant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            } catch (DateTimeParseException e) {
                problems.add(path + "." + key + ": \"" + s + "\" is not an ISO-8601 instant (expected e.g. "
                        + "2024-03-01T09:15:00Z)");
                return null;
            }
        }

        String optObject(JsonNode n, String path, String key) {
            JsonNode v = n.path(key);
            if (v.isMissingNode() || v.isNull()) {
                return null;
            }
            if (!v.isObject()) {
                problems.add(path + "." + key + ": " + show(v) + " is not an object");
                return null;
            }
            return v.toString();
        }

        static String show(JsonNode v) {
            return v.isMissingNode() ? "missing" : v.toString();
        }
    }
}

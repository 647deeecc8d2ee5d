package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LegacyFileTest {
    @TempDir
    Path dir;

    @Test
    void documentedExampleIsValid() {
        LegacyFile f = LegacyFile.read(Path.of("../docs/examples/legacy-bot.json"));
        assertThat(f.bot()).isEqualTo("shop-1");
        assertThat(f.users()).hasSize(2);
        assertThat(f.profiles()).hasSize(2);
        assertThat(f.conversations()).hasSize(2);
        assertThat(f.messages()).hasSize(3);
    }

    @Test
    void everyProblemIsReportedWithItsJsonPath() throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, """
                { "format": "botvisor-legacy-v1", "colour": 1,
                  "users": [ { "id": 1 }, { "id": 1, "username": 7 } ],
                  "profiles": [ { "id": "p" } ],
                  "conversations": [ { "id": 9, "userId": 2, "messages": [
                      { "id": 1, "at": "yesterday", "from": "me", "text": "hi" },
                      { "id": 2, "from": "bot" } ] } ] }
                """);
        List<String> problems = catchThrowableOfType(InvalidLegacyFileException.class, () -> LegacyFile.read(file))
                .problems();
        assertThat(problems).containsExactly(
                "$.colour: unknown key (expected one of [bot, conversations, format, profiles, users])",
                "$.users[1].id: 1 appears twice (expected each user once)",
                "$.users[1].username: 7 is not a string",
                "$.profiles[0].name: missing (expected a string)",
                "$.conversations[0].userId: 2 is not a user of this file (expected one of $.users[*].id)",
                "$.conversations[0].messages[0].at: \"yesterday\" is not an ISO-8601 instant (expected e.g. "
                        + "2024-03-01T09:15:00Z)",
                "$.conversations[0].messages[0].from: \"me\" is not valid (expected \"user\" or \"bot\")",
                "$.conversations[0].messages[1].at: missing (expected an ISO-8601 instant, e.g. 2024-03-01T09:15:00Z)",
                "$.conversations[0].messages[1].text: missing (expected a string)");
    }

    @Test
    void wrongFormatIsRejected() throws IOException {
        Path file = dir.resolve("old.json");
        Files.writeString(file, "{ \"format\": \"v0\" }");
        assertThat(catchThrowableOfType(InvalidLegacyFileException.class, () -> LegacyFile.read(file)).problems())
                .containsExactly("$.format: \"v0\" is not supported (expected \"botvisor-legacy-v1\")");
    }

    @Test
    void fileOverTheCapIsRefusedNamingItsSizeAndTheCap() throws IOException {
        Path file = dir.resolve("big.json");
        Files.writeString(file, "{ \"format\": \"botvisor-legacy-v1\", \"users\": [] }" + " ".repeat(2000));
        assertThat(catchThrowableOfType(InvalidLegacyFileException.class, () -> LegacyFile.read(file, 1024))
                .getMessage()).isEqualTo(file + ": 1 problem(s), nothing imported:\n  the file is 2047 bytes (2.0 KiB), "
                + "over the cap of 1024 bytes (1.0 KiB) (split the file, or raise the cap with --max-bytes and the heap "
                + "with BOTVISOR_JAVA_OPTS=-Xmx…, about 8 times the file)");
    }

    @Test
    void fileOverTheDefaultCapIsRefusedWithoutBeingRead() throws IOException {
        Path file = dir.resolve("huge.json");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(LegacyFile.DEFAULT_MAX_BYTES + 1); // sparse: no disk used
        }
        assertThat(catchThrowableOfType(InvalidLegacyFileException.class, () -> LegacyFile.read(file)).problems())
                .singleElement().asString().startsWith("the file is 16777217 bytes (16.0 MiB), over the cap of "
                        + "16777216 bytes (16.0 MiB) ");
    }

    @Test
    void fileAtTheCapIsRead() throws IOException {
        Path file = dir.resolve("exact.json");
        String json = "{ \"format\": \"botvisor-legacy-v1\" }";
        Files.writeString(file, json);
        assertThat(LegacyFile.read(file, json.length()).users()).isEmpty();
    }
}

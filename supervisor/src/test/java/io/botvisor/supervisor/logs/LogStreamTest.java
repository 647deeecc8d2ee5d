package io.botvisor.supervisor.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.supervisor.process.RotatingFileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStreamTest {
    @TempDir
    Path dir;

    private static void lines(RotatingFileOutputStream out, int from, int to) throws IOException {
        for (int i = from; i <= to; i++) {
            out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static List<String> expected(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "line " + i).toList();
    }

    @Test
    void aFollowerReadsEveryLineOnceAcrossSeveralRotationsBetweenTwoReads() throws IOException {
        try (RotatingFileOutputStream out = new RotatingFileOutputStream(dir.resolve("stdout.log"), 100, 50);
             LogStream s = LogStream.open(dir, LogStream.Kind.STDOUT, true)) {
            List<String> seen = new ArrayList<>(s.poll());
            lines(out, 1, 20);
            seen.addAll(s.poll());
            lines(out, 21, 200); // ~17 rotations before the next read
            seen.addAll(s.poll());
            seen.addAll(s.poll());
            assertThat(dir.resolve("stdout.log.10")).exists();
            assertThat(seen).containsExactlyElementsOf(expected(1, 200));
        }
    }

    @Test
    void aFollowerWhoseFileWasRotatedOutOfReachReadsItAndEveryNewerFile() throws IOException {
        try (RotatingFileOutputStream out = new RotatingFileOutputStream(dir.resolve("stdout.log"), 100, 3)) {
            lines(out, 1, 5);
            try (LogStream s = LogStream.open(dir, LogStream.Kind.STDOUT, true)) {
                lines(out, 6, 100); // the file it holds is deleted: only 3 rotated files are kept
                assertThat(dir.resolve("stdout.log.4")).doesNotExist();
                List<String> seen = s.poll();
                assertThat(seen).startsWith(expected(6, 8).toArray(String[]::new)).endsWith("line 100")
                        .doesNotHaveDuplicates();
                assertThat(seen.size()).as("lines of the deleted files in between are gone").isLessThan(95);
            }
        }
    }

    @Test
    void aLineStillBeingWrittenWhenFollowingStartsIsShownWholeOnceItEnds() throws IOException {
        Path log = dir.resolve("stdout.log");
        Files.writeString(log, "done\nhalf");
        try (LogStream s = LogStream.open(dir, LogStream.Kind.STDOUT, true)) {
            assertThat(s.last(10, null)).extracting(LogStream.Line::text).containsExactly("done");
            assertThat(s.poll()).isEmpty();
            Files.writeString(log, " a line\n", java.nio.file.StandardOpenOption.APPEND);
            assertThat(s.poll()).containsExactly("half a line");
        }
    }

    @Test
    void withoutFollowingAnUnendedLastLineIsShown() throws IOException {
        Files.writeString(dir.resolve("stdout.log"), "done\nhalf");
        try (LogStream s = LogStream.open(dir, LogStream.Kind.STDOUT, false)) {
            assertThat(s.last(10, null)).extracting(LogStream.Line::text).containsExactly("done", "half");
        }
    }
}

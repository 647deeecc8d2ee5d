package io.botvisor.supervisor.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineStamperTest {
    private static final String T = "2026-11-30T20:22:21.123Z ";
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-30T20:22:21.123Z"), ZoneOffset.UTC);
    private final ByteArrayOutputStream file = new ByteArrayOutputStream();

    private void arrive(LineStamper s, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.write(Arrays.copyOf(b, b.length + 7), b.length, file); // a read fills only part of its buffer
    }

    private String file() {
        return file.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyLineStartsWithTheTimeItArrived() throws IOException {
        LineStamper s = new LineStamper(clock, true);
        arrive(s, "one\ntwo\n\n");
        assertThat(file()).isEqualTo(T + "one\n" + T + "two\n" + T + "\n");
    }

    @Test
    void aLineThatArrivesInPiecesIsStampedOnceAtItsStart() throws IOException {
        LineStamper s = new LineStamper(clock, true);
        arrive(s, "par");
        arrive(s, "tial\nnext");
        arrive(s, " line\n");
        assertThat(file()).isEqualTo(T + "partial\n" + T + "next line\n");
    }

    @Test
    void aLastLineWithoutNewlineIsKeptAndEndedAtEndOfStream() throws IOException {
        LineStamper s = new LineStamper(clock, true);
        arrive(s, "done\nno newline");
        s.end(file);
        s.end(file);
        assertThat(file()).isEqualTo(T + "done\n" + T + "no newline\n");
    }

    @Test
    void anOverLongLineIsSplitIntoStampedLinesWithNothingLost() throws IOException {
        LineStamper s = new LineStamper(clock, true);
        String longLine = "x".repeat(LineStamper.MAX_LINE * 2 + 100);
        arrive(s, longLine.substring(0, 5000));
        arrive(s, longLine.substring(5000) + "\nafter\n");
        List<String> lines = file().lines().toList();
        assertThat(lines).hasSize(4).allMatch(l -> l.startsWith(T));
        assertThat(lines.subList(0, 3)).allMatch(l -> l.length() <= T.length() + LineStamper.MAX_LINE);
        assertThat(String.join("", lines.subList(0, 3).stream().map(l -> l.substring(T.length())).toList()))
                .isEqualTo(longLine);
        assertThat(lines.get(3)).isEqualTo(T + "after");
    }

    @Test
    void anOverLongLineIsSplitBetweenCharactersNotInsideOne() throws IOException {
        LineStamper s = new LineStamper(clock, true);
        String longLine = "é".repeat(LineStamper.MAX_LINE); // two bytes each: the limit falls on a character
        arrive(s, "a" + longLine + "\n");
        List<String> pieces = file().lines().map(l -> l.substring(T.length())).toList();
        assertThat(pieces).hasSizeGreaterThan(1).noneMatch(p -> p.contains("\uFFFD"));
        assertThat(String.join("", pieces)).isEqualTo("a" + longLine);
    }

    @Test
    void withoutTimestampsTheBytesPassUnchangedAndOnlyAMissingLastNewlineIsAdded() throws IOException {
        LineStamper s = new LineStamper(clock, false);
        String longLine = "y".repeat(LineStamper.MAX_LINE * 2);
        arrive(s, "2026-01-01 own stamp\n" + longLine);
        s.end(file);
        assertThat(file()).isEqualTo("2026-01-01 own stamp\n" + longLine + "\n");
    }
}

package io.botvisor.supervisor.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileOutputStreamTest {
    @TempDir
    Path dir;

    private static void write(RotatingFileOutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Object inode(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }

    @Test
    void rotationRenamesTheFileSoThatItsReadersKeepIt() throws IOException {
        Path log = dir.resolve("stdout.log");
        try (RotatingFileOutputStream out = new RotatingFileOutputStream(log, 10, 3)) {
            write(out, "aaaa\n");
            Object first = inode(log);
            write(out, "bbbbbbb\n");
            assertThat(inode(dir.resolve("stdout.log.1"))).as("the same file, renamed: not a copy").isEqualTo(first);
            assertThat(Files.readString(dir.resolve("stdout.log.1"))).isEqualTo("aaaa\n");
            assertThat(Files.readString(log)).isEqualTo("bbbbbbb\n");
        }
    }

    @Test
    void aFileIsCutAfterItsLastWholeLineThatFits() throws IOException {
        Path log = dir.resolve("stdout.log");
        try (RotatingFileOutputStream out = new RotatingFileOutputStream(log, 10, 3)) {
            write(out, "one\ntwo\nthree\nfour\n");
        }
        assertThat(Files.readString(dir.resolve("stdout.log.2"))).isEqualTo("one\ntwo\n");
        assertThat(Files.readString(dir.resolve("stdout.log.1"))).isEqualTo("three\n");
        assertThat(Files.readString(log)).isEqualTo("four\n");
    }

    @Test
    void aLineLongerThanAFileIsSplitAndTheOldestFilesAreDeleted() throws IOException {
        Path log = dir.resolve("stdout.log");
        try (RotatingFileOutputStream out = new RotatingFileOutputStream(log, 4, 2)) {
            write(out, "0123456789ab\n");
        }
        assertThat(Files.readString(dir.resolve("stdout.log.2"))).isEqualTo("4567");
        assertThat(Files.readString(dir.resolve("stdout.log.1"))).isEqualTo("89ab");
        assertThat(Files.readString(log)).isEqualTo("\n");
        assertThat(dir.resolve("stdout.log.3")).doesNotExist();
    }

    @Test
    void aReopenedFileThatEndsMidLineIsContinuedNotCut() throws IOException {
        Path log = dir.resolve("stdout.log");
        Files.writeString(log, "abc");
        try (RotatingFileOutputStream out = new RotatingFileOutputStream(log, 8, 3)) {
            write(out, "de\nfgh\n");
        }
        assertThat(Files.readString(dir.resolve("stdout.log.1"))).isEqualTo("abcde\n");
        assertThat(Files.readString(log)).isEqualTo("fgh\n");
    }
}

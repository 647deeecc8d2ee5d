package io.botvisor.supervisor.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Emptying a directory a bot can write: what is in it goes, what its symlinks point at stays. */
public class DirectoryWipeTest {
    @TempDir
    Path tmp;

    @Test
    void emptiesFilesFifosLinksAndSubdirectoriesButNeverWhatALinkPointsAt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("events"));
        Path outsideFile = Files.writeString(tmp.resolve("precious.txt"), "keep me");
        Path outsideDir = Files.createDirectories(tmp.resolve("precious-dir"));
        Files.writeString(outsideDir.resolve("inside.txt"), "keep me too");
        Files.writeString(dir.resolve("20261130-16F.cq4"), "garbage");
        mkfifo(dir.resolve("20261130-17F.cq4"));
        Files.createSymbolicLink(dir.resolve("metadata.cq4t"), outsideFile);
        Files.createSymbolicLink(dir.resolve("to-dir"), outsideDir);
        Files.createSymbolicLink(dir.resolve("dangling"), tmp.resolve("nothing-here"));
        Path sub = Files.createDirectories(dir.resolve("a").resolve("b"));
        Files.writeString(sub.resolve("deep.txt"), "x");
        Files.createSymbolicLink(sub.resolve("up"), outsideDir);
        assertThat(list(dir)).as("everything was planted").hasSize(6);

        DirectoryWipe.Result r = DirectoryWipe.empty(dir);

        assertThat(r.left()).isEmpty();
        assertThat(r.removed()).isEqualTo(9);
        assertThat(list(dir)).isEmpty();
        assertThat(Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)).as("the directory itself stays").isTrue();
        assertThat(Files.readString(outsideFile)).isEqualTo("keep me");
        assertThat(Files.readString(outsideDir.resolve("inside.txt"))).isEqualTo("keep me too");
    }

    @Test
    void clearingAtStartKeepsRegularFilesAndRemovesEverythingElse() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("events"));
        Path outsideFile = Files.writeString(tmp.resolve("precious.txt"), "keep me");
        Files.writeString(dir.resolve("metadata.cq4t"), "meta");
        mkfifo(dir.resolve("20261130-17F.cq4"));
        Files.createSymbolicLink(dir.resolve("20261130-18F.cq4"), outsideFile);
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub").resolve("x.cq4"), "x");

        DirectoryWipe.Result r = DirectoryWipe.removeAllButFiles(dir);

        assertThat(r.removed()).isEqualTo(4);
        assertThat(list(dir)).containsExactly(dir.resolve("metadata.cq4t"));
        assertThat(Files.readString(outsideFile)).isEqualTo("keep me");
    }

    @Test
    void aDirectoryThatIsASymlinkIsNotEmptied() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real"));
        Files.writeString(real.resolve("keep.txt"), "keep me");
        Path link = Files.createSymbolicLink(tmp.resolve("events"), real);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DirectoryWipe.empty(link))
                .isInstanceOf(java.io.UncheckedIOException.class).hasMessageStartingWith("cannot empty " + link + ": ");
        assertThat(Files.readString(real.resolve("keep.txt"))).isEqualTo("keep me");
    }

    public static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertThat(mk.waitFor()).isZero();
        assertThat(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(p)).isFalse();
        assertThat(Files.exists(p, LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    private static java.util.List<Path> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}

package io.botvisor.supervisor.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real files: modes with the setgid bit, and emptying a directory a bot could have planted symlinks in. */
class FsTest {
    @TempDir
    Path dir;

    @Test
    void modeAsLsShowsItIncludingTheSetgidBit() throws Exception {
        Path d = Files.createDirectory(dir.resolve("commands"));
        Fs.chmod(d, "rwxr-s---");
        assertThat(((Number) Files.getAttribute(d, "unix:mode")).intValue() & 07777).isEqualTo(02750);
        Fs.chmod(d, "rwx--x--x");
        assertThat(((Number) Files.getAttribute(d, "unix:mode")).intValue() & 07777).isEqualTo(0711);
    }

    @Test
    void emptyingADirectoryDeletesSymlinksNotTheirTargets() throws Exception {
        Path outside = Files.writeString(dir.resolve("secret"), "keep me");
        Path outsideDir = Files.createDirectory(dir.resolve("elsewhere"));
        Files.writeString(outsideDir.resolve("also"), "keep me too");
        Path events = Files.createDirectory(dir.resolve("events"));
        Files.createSymbolicLink(events.resolve("link-to-file"), outside);
        Files.createSymbolicLink(events.resolve("link-to-dir"), outsideDir);
        Files.createDirectories(events.resolve("sub/deeper"));
        Files.writeString(events.resolve("sub/deeper/f"), "x");
        Fs.empty(events);
        try (var left = Files.list(events)) {
            assertThat(left).isEmpty();
        }
        assertThat(Files.readString(outside)).isEqualTo("keep me");
        assertThat(Files.readString(outsideDir.resolve("also"))).isEqualTo("keep me too");
    }

    @Test
    void aSymlinkWhereADirectoryShouldBeIsReplacedNotFollowed() throws Exception {
        Path target = Files.createDirectory(dir.resolve("target"));
        Path link = Files.createSymbolicLink(dir.resolve("home"), target);
        Fs.dir(link, ownUid(), ownUid(), "rwx------");
        assertThat(Files.isSymbolicLink(link)).isFalse();
        assertThat(Files.isDirectory(link, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(((Number) Files.getAttribute(target, "unix:mode")).intValue() & 0777).isNotEqualTo(0700);
    }

    private long ownUid() throws Exception {
        return ((Number) Files.getAttribute(dir, "unix:uid")).longValue();
    }
}

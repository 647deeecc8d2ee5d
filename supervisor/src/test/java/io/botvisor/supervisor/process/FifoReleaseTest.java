package io.botvisor.supervisor.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ending a read blocked on a planted FIFO, with real FIFOs and real blocked opens. */
class FifoReleaseTest {
    private static final int BOT_UID = 100001;

    @TempDir
    Path tmp;

    @Test
    void findsFifosAndLinksToFifosOnly() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("events"));
        io.botvisor.supervisor.isolation.DirectoryWipeTest.mkfifo(dir.resolve("a.cq4"));
        Path elsewhere = tmp.resolve("fifo");
        io.botvisor.supervisor.isolation.DirectoryWipeTest.mkfifo(elsewhere);
        Files.createSymbolicLink(dir.resolve("b.cq4"), elsewhere);
        Files.writeString(dir.resolve("c.cq4"), "plain");
        Files.createSymbolicLink(dir.resolve("d.cq4"), dir.resolve("c.cq4"));
        Files.createSymbolicLink(dir.resolve("e.cq4"), Path.of("/dev/zero"));

        assertThat(FifoRelease.candidates(dir)).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("a.cq4", "b.cq4");
    }

    @Test
    void readerBlockedOpeningAFifoGetsThrough() throws Exception {
        Path fifo = tmp.resolve("20261130-17F.cq4");
        io.botvisor.supervisor.isolation.DirectoryWipeTest.mkfifo(fifo);
        assertReleases(fifo);
    }

    @Test
    void readerBlockedOpeningASymlinkToAFifoGetsThrough() throws Exception {
        Path fifo = tmp.resolve("fifo");
        io.botvisor.supervisor.isolation.DirectoryWipeTest.mkfifo(fifo);
        Path link = Files.createSymbolicLink(tmp.resolve("20261130-17F.cq4"), fifo);
        assertReleases(link);
    }

    @Test
    void symlinkAnotherUidOwnsIsOpenedWithThatUidsRightsOnly() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "opening as another uid needs root (CI runs as root); skipped as " + System.getProperty("user.name"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path botDir = Files.createDirectories(tmp.resolve("bot"));
        Files.setAttribute(botDir, "unix:uid", BOT_UID);
        Path botsFifo = botDir.resolve("fifo");
        io.botvisor.supervisor.isolation.DirectoryWipeTest.mkfifo(botsFifo);
        Files.setAttribute(botsFifo, "unix:uid", BOT_UID);
        Path rootOnly = Files.createDirectories(tmp.resolve("root-only"));
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rwx------"));
        Path rootsFifo = rootOnly.resolve("fifo");
        io.botvisor.supervisor.isolation.DirectoryWipeTest.mkfifo(rootsFifo);
        Path toBots = botsLink(tmp.resolve("20261130-17F.cq4"), botsFifo);
        Path toRoots = botsLink(tmp.resolve("20261130-18F.cq4"), rootsFifo);

        assertReleases(toBots);
        assertThat(FifoRelease.release(toBots)).endsWith("for writing as its owner, uid " + BOT_UID);
        assertThatThrownBy(() -> FifoRelease.release(toRoots)).isInstanceOf(IOException.class)
                .hasMessageContaining("as uid " + BOT_UID + " failed").hasMessageContaining("Permission denied");
    }

    private static Path botsLink(Path link, Path target) throws IOException {
        Files.createSymbolicLink(link, target);
        Files.setAttribute(link, "unix:uid", BOT_UID, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(link, "unix:gid", BOT_UID, LinkOption.NOFOLLOW_LINKS);
        return link;
    }

    /** A reader opening {@code entry} blocks until releases of it let the reader through. */
    private static void assertReleases(Path entry) throws Exception {
        CompletableFuture<Boolean> reader = CompletableFuture.supplyAsync(() -> {
            try (FileInputStream in = new FileInputStream(entry.toFile())) {
                return true;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // A release before the reader's open lets nothing through: repeat until the reader is through, as the
        // watchdog does while a read stays stuck.
        while (!reader.isDone()) {
            assertThat(System.nanoTime()).as("the blocked reader got through in time").isLessThan(deadline);
            FifoRelease.release(entry);
            CompletableFuture.anyOf(reader, CompletableFuture.runAsync(() -> { },
                    CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS))).join();
        }
        assertThat(reader.get()).isTrue();
    }
}

package io.botvisor.supervisor.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageWriter;
import io.botvisor.supervisor.it.HostileWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard's verdicts on real queues a hostile writer got at, with the real watchdog; the loop and the launcher's
 * thread are this test's thread (their tasks run at once).
 */
class EventsGuardTest {
    @TempDir
    Path state;
    private IpcLayout layout;
    private IpcQueue botQueue;
    private MessageWriter bot;
    private Link link;
    private EventsGuard guard;
    private final List<Message> read = new ArrayList<>();
    private static final long MILLI = 1_000_000L;
    /** The loop's clock, as the guard sees it. */
    private long now;

    @BeforeEach
    void open() {
        layout = new IpcLayout(state);
        link = new Link(layout, "b");
        botQueue = IpcQueue.open(layout.events("b"));
        bot = botQueue.writer();
        guard = new EventsGuard(layout, Runnable::run, task -> {
            task.run();
            return true;
        }, () -> now);
        guard.start();
    }

    @AfterEach
    void close() {
        guard.close();
        link.close();
        botQueue.close();
    }

    @Test
    void healthyReadsDeliverWhatTheBotWroteAndProveNothing() {
        bot.write(new Message.Ready(7, 4242, 120, 1));
        bot.write(new Message.Event(7, "note", "hello", 2));

        assertThat(guard.read("b", link, read::add)).isNull();

        assertThat(read).containsExactly(new Message.Ready(7, 4242, 120, 1), new Message.Event(7, "note", "hello", 2));
        assertThat(guard.quarantined("b")).isFalse();
    }

    @Test
    void readHeldByAPlantedFifoIsEndedAndProvesTamperingAtOnce() throws Exception {
        bot.write(new Message.Ready(7, 4242, 120, 1));
        assertThat(guard.read("b", link, read::add)).isNull();
        try (HostileWriter w = HostileWriter.plantAhead(layout.events("b"), HostileWriter::mkfifo)) {
            // This read blocks in open(2) on the FIFO until the watchdog opens it.
            String violation = guard.read("b", link, read::add);

            assertThat(violation).startsWith("a FIFO in it (" + w.planted().getFileName()
                    + ") held the supervisor's read for ").endsWith(" s, until the supervisor opened it");
            assertThat(guard.quarantined("b")).isTrue();
            assertThat(guard.read("b", link, read::add)).as("a quarantined queue is not read").isNull();
        }
    }

    @Test
    void readsHeldByAPlantedFileOfZerosProveTamperingOnceEveryReadWasHeldForFiveSeconds() throws Exception {
        bot.write(new Message.Ready(7, 4242, 120, 1));
        assertThat(guard.read("b", link, read::add)).isNull();
        try (HostileWriter w = HostileWriter.plantAhead(layout.events("b"), HostileWriter::zeros)) {
            assertThat(guard.read("b", link, read::add)).as("one slow read may be a GC pause").isNull();
            assertThat(guard.paused("b")).as("not read again at once").isTrue();
            for (long at : new long[] {500, 1_500, 3_500}) {
                now = at * MILLI;
                assertThat(guard.paused("b")).as("read again %d ms after the first", at).isFalse();
                assertThat(guard.read("b", link, read::add)).as("held for %d ms: a healthy writer may still be waiting "
                        + "for a core", at).isNull();
                assertThat(guard.paused("b")).isTrue();
            }
            now = 7_500 * MILLI;
            String violation = guard.read("b", link, read::add);

            assertThat(violation).matches("a read of it took \\d+ ms \\(healthy reads take microseconds; at most 100 "
                    + "ms\\), 5 reads in a row over 7.5 s");
            assertThat(guard.quarantined("b")).isTrue();
        }
    }

    @Test
    void aCycleFileWhoseHeaderIsWrittenLateHoldsAReadButIsNotTampering() throws Exception {
        // A healthy writer that created its first cycle file and waits for a core before writing its header: as far
        // as the reader sees, a file of zeros under the current cycle's name, until the header is there.
        Path events = layout.events("b");
        Path cycle = events.resolve(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HH")
                .format(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC)) + "F.cq4");
        Files.write(cycle, new byte[1 << 20]);
        assertThat(guard.read("b", link, read::add)).isNull();
        assertThat(guard.paused("b")).as("the read was held: suspect").isTrue();
        now = 500 * MILLI;
        assertThat(guard.read("b", link, read::add)).as("held twice in a row: not yet tampering").isNull();
        assertThat(guard.paused("b")).isTrue();
        Files.delete(cycle);
        bot.write(new Message.Ready(7, 4242, 120, 1)); // the header, and a message

        now = 1_500 * MILLI;
        assertThat(guard.read("b", link, read::add)).isNull();
        assertThat(read).containsExactly(new Message.Ready(7, 4242, 120, 1));
        assertThat(guard.paused("b")).as("the suspicion ended with the healthy read").isFalse();
    }

    @Test
    void beforeTheNextLaunchTheQueueIsEmptiedAndReadAfresh() throws Exception {
        bot.write(new Message.Ready(7, 4242, 120, 1));
        assertThat(guard.read("b", link, read::add)).isNull();
        Path planted;
        try (HostileWriter w = HostileWriter.plantAhead(layout.events("b"), HostileWriter::mkfifo)) {
            planted = w.planted();
            assertThat(guard.read("b", link, read::add)).isNotNull();
        }
        botQueue.close();

        guard.beforeLaunch("b", link);

        assertThat(guard.quarantined("b")).isFalse();
        assertThat(Files.exists(planted, LinkOption.NOFOLLOW_LINKS)).as("the FIFO is gone").isFalse();
        assertThat(entries(layout.events("b"))).isEmpty();
        read.clear();
        botQueue = IpcQueue.open(layout.events("b"));
        botQueue.writer().write(new Message.Ready(8, 4243, 100, 3));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (read.isEmpty() && System.nanoTime() < deadline) {
            assertThat(guard.read("b", link, read::add)).isNull();
        }
        assertThat(read).containsExactly(new Message.Ready(8, 4243, 100, 3));
    }

    private static List<Path> entries(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}

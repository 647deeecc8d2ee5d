package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Plays a hostile bot's queue writer, the way one gets the supervisor's reader onto a file it planted: a reader moves to
 * the next cycle file only once the one it is on ends (EOF), which happens when the writer rolls. So: roll to hour
 * N+1 (the reader follows into a real cycle file), plant under hour N+2's name, roll to N+3 (Chronicle writes the EOF
 * into N+1, then fails on the plant itself): the reader's next move is onto the plant, and nothing else touches it.
 * Test fixture; open while the test runs (closing would shrink the last cycle under the reader), one thread.
 */
public final class HostileWriter implements AutoCloseable {
    /** FAST_HOURLY cycle files: yyyyMMdd-HH, then F. */
    private static final Pattern CYCLE = Pattern.compile("(\\d{8}-\\d{2})F\\.cq4");
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyyMMdd-HH");
    private static final DateTimeFormatter HOUR_MINUTE = DateTimeFormatter.ofPattern("yyyyMMdd-HHmm");

    /** What to plant at a path. */
    public interface Plant {
        void at(Path p) throws Exception;
    }

    static {
        // As IpcQueue does before any Chronicle class loads (see there).
        net.openhft.posix.PosixAPI.useNoOpPosixApi();
    }

    private final SingleChronicleQueue queue;
    private final SetTimeProvider clock;
    private final ExcerptAppender appender;
    private final LocalDateTime hour;

    private HostileWriter(Path events, LocalDateTime hour) {
        this.hour = hour;
        this.clock = new SetTimeProvider(hour.toInstant(ZoneOffset.UTC).toEpochMilli() * 1_000_000L);
        this.queue = SingleChronicleQueueBuilder.binary(events).blockSize(256 * 1024)
                .rollCycle(RollCycles.FAST_HOURLY).timeoutMS(200).timeProvider(clock).build();
        this.appender = queue.createAppender();
    }

    /**
     * Plants under the name of the cycle after the next of the queue in {@code events} (which must have a cycle file)
     * and gets its reader there; returns the planted path.
     */
    public static HostileWriter plantAhead(Path events, Plant plant) throws Exception {
        String current = currentCycle(events).orElseThrow(() -> new AssertionError("no cycle file in " + events));
        HostileWriter w = new HostileWriter(events, LocalDateTime.parse(current + "00", HOUR_MINUTE).plusHours(1));
        w.write();
        plant.at(w.planted());
        assertThat(Files.exists(w.planted(), java.nio.file.LinkOption.NOFOLLOW_LINKS)).as("planted").isTrue();
        w.clock.currentTimeMillis(w.hour.plusHours(2).toInstant(ZoneOffset.UTC).toEpochMilli());
        assertThat(catchThrowable(w::write)).as("Chronicle's own writer cannot roll onto the plant either").isNotNull();
        return w;
    }

    /** The path planted: the cycle after {@link #hour}. */
    public Path planted() {
        return queue.file().toPath().resolve(HOUR.format(hour.plusHours(1)) + "F.cq4");
    }

    private void write() {
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().write("type").text("EVENT");
        }
    }

    /** The newest cycle file's hour (yyyyMMdd-HH) in {@code events}, if it has one. */
    public static Optional<String> currentCycle(Path events) {
        if (!Files.isDirectory(events)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(events)) {
            return files.map(p -> CYCLE.matcher(p.getFileName().toString())).filter(Matcher::matches)
                    .map(m -> m.group(1)).max(String::compareTo);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code mkfifo path}. */
    public static void mkfifo(Path p) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor()).as("mkfifo " + p).isZero();
    }

    /** Writes 1 MiB of zeros at {@code p}: a cycle file whose header never becomes ready. */
    public static void zeros(Path p) throws IOException {
        Files.write(p, new byte[1 << 20]);
    }

    @Override
    public void close() {
        queue.close();
    }
}

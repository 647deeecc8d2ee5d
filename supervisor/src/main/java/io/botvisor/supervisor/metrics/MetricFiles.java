package io.botvisor.supervisor.metrics;

import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.Threads;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.control.StatusRenderer;
import io.botvisor.supervisor.control.StatusSnapshot;
import io.botvisor.supervisor.control.StatusSource;
import io.botvisor.supervisor.core.Supervisor;
import io.botvisor.supervisor.isolation.StateLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code STATE/metrics/botvisor.prom} (Prometheus text format, for node_exporter's textfile collector) and
 * {@code STATE/metrics/status.json} (what {@code ctl status --json} answers) every interval and soon after a bot's
 * state changes (changes within {@link #DEBOUNCE} make one write). Its own thread ("metric-files") renders and writes;
 * the supervisor's loop only takes the snapshot, as it does for {@code ctl status}. Each file is written under a temp
 * name in the same directory that does not end in {@code .prom} (the collector reads {@code *.prom} only), then
 * renamed over the old one: a reader sees the old file or the new one, never part of one. A write that fails is
 * logged once, and its recovery once; the next write is the retry. A stuck loop stops the writes, so the files' mtime
 * goes stale as it does when the daemon dies (the README's alert). Thread-safe: {@link #changed} from any thread.
 */
public final class MetricFiles implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricFiles.class);
    public static final String PROM = "botvisor.prom";
    public static final String JSON = "status.json";
    /** Longest a state change waits for its write; more changes meanwhile join it. */
    static final Duration DEBOUNCE = Duration.ofMillis(250);
    private static final FileAttribute<Set<PosixFilePermission>> MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----"));
    private static final Set<OpenOption> CREATE = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);

    /** Takes a snapshot where that is allowed (the supervisor's loop) and hands it to {@code then}. */
    interface Source {
        void capture(Consumer<StatusSnapshot> then);
    }

    private final Path dir;
    private final Duration interval;
    private final Source source;
    private final ScheduledThreadPoolExecutor thread = Threads.periodic("metric-files");
    private final AtomicBoolean changePending = new AtomicBoolean();
    /** A capture is on its way to the loop or a write under way; set and cleared on this thread only. */
    private boolean inFlight;
    private boolean again;
    /** This thread's: reused by every write (a 200-bot fleet's files are ~150 KB together). */
    private final Bytes buffer = new Bytes();
    private final PromText prom = new PromText();
    private String problem;

    MetricFiles(Path dir, Duration interval, Source source) {
        this.dir = dir;
        this.interval = interval;
        this.source = source;
    }

    /**
     * The metric files of {@code supervisor} as {@code config} says, in {@code layout}'s metrics directory, which this
     * prepares (owner, group, mode); null when they are off. Throws {@link SupervisorException} when the directory
     * cannot be prepared (its group does not exist, …): the supervisor then does not start. Call before
     * {@link Supervisor#start}; writing begins with {@link #start}.
     */
    public static MetricFiles open(Specs.Metrics config, StateLayout layout, Supervisor supervisor,
                                   StatusSource status) {
        if (!config.enabled()) {
            log.info("metric files are off (supervisor.metrics.enabled: false)");
            return null;
        }
        Path dir;
        try {
            dir = layout.prepareMetrics(config.group());
        } catch (IOException e) {
            throw new SupervisorException("cannot prepare " + layout.metricsDir() + " for the metric files"
                    + (config.group() == null ? "" : " (supervisor.metrics.group \"" + config.group() + "\")") + ": "
                    + e, e);
        }
        MetricFiles files = new MetricFiles(dir, config.interval(), then -> supervisor.execute(
                () -> then.accept(status.capture())));
        supervisor.onStateChange(files::changed);
        return files;
    }

    /** Writes now, then every interval. */
    public void start() {
        thread.scheduleWithFixedDelay(this::request, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        log.info("metric files: {} and {} in {}, every {} s and on state changes", PROM, JSON, dir,
                interval.toMillis() / 1000.0);
    }

    /** A bot's state changed: the files follow within {@link #DEBOUNCE}. Any thread; cheap on the loop. */
    public void changed() {
        if (changePending.compareAndSet(false, true)) {
            thread.schedule(() -> {
                changePending.set(false);
                request();
            }, DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** This thread: asks the loop for a snapshot, unless one is on its way (then one more follows it). */
    private void request() {
        if (inFlight) {
            again = true;
            return;
        }
        inFlight = true;
        source.capture(s -> thread.execute(() -> {
            try {
                write(s);
            } finally {
                inFlight = false;
                if (again) {
                    again = false;
                    request();
                }
            }
        }));
    }

    /** Both files from one snapshot; this thread only. */
    void write(StatusSnapshot s) {
        try {
            buffer.reset();
            prom.write(s, buffer);
            replace(PROM, buffer);
            buffer.reset();
            StatusRenderer.json(s, buffer);
            replace(JSON, buffer);
            if (problem != null) {
                log.info("metric files: written again in {}", dir);
                problem = null;
            }
        } catch (IOException | RuntimeException e) {
            String what = e.toString();
            if (!what.equals(problem)) {
                log.warn("metric files: cannot write them in {} ({}); trying again in {} s", dir, what,
                        interval.toMillis() / 1000.0);
                problem = what;
            }
        }
    }

    private void replace(String name, Bytes content) throws IOException {
        // ".botvisor.prom.tmp": not *.prom, so the collector never reads a file being written.
        Path tmp = dir.resolve("." + name + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, CREATE, MODE)) {
            ByteBuffer b = content.view();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("metric-files did not end within 5 s; left to the exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A growable byte buffer whose content can be written without a copy. Not thread-safe. */
    static final class Bytes extends ByteArrayOutputStream {
        Bytes() {
            super(64 * 1024);
        }

        ByteBuffer view() {
            return ByteBuffer.wrap(buf, 0, count);
        }
    }
}

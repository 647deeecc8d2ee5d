package io.botvisor.ipc;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.threads.Pauser;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads messages from one queue without blocking. A message that cannot be decoded is logged with its source and
 * index and skipped; it never stops the reader. The writer may be a bot, so a document is measured before it is
 * parsed: one over the reader's size cap, or with more than {@link #MAX_FIELDS} fields, is skipped unparsed (Chronicle's
 * parser crashed the reading JVM with SIGSEGV on a valid 1.9 MB document of 100,000 fields, and took 0.45 s over
 * 50,000). A fault in a mapped file a writer truncated ({@link InternalError}, Unsafe's SIGBUS) ends the poll like any
 * other read failure. Not thread-safe: one thread polls a reader.
 */
public final class MessageReader {
    private static final Logger log = LoggerFactory.getLogger(MessageReader.class);
    /** The size cap for a queue a bot writes: the largest valid message (a heartbeat with 256 counters) is ~27 KB. */
    public static final int UNTRUSTED_MAX_BYTES = 64 * 1024;
    /** The size cap for control requests: thousands of bot ids. */
    public static final int CONTROL_MAX_BYTES = 256 * 1024;
    /** The size cap for what only the supervisor writes (control replies: a whole fleet's status). */
    public static final int TRUSTED_MAX_BYTES = 16 * 1024 * 1024;
    /** Most fields a document may have; the largest message has 15. */
    public static final int MAX_FIELDS = 64;
    private final ExcerptTailer tailer;
    private final String source;
    private final int maxBytes;
    private long skipped;
    private long failures;
    private Throwable lastFailure;

    MessageReader(ExcerptTailer tailer, String source, int maxBytes) {
        this.tailer = tailer;
        this.source = source;
        this.maxBytes = maxBytes;
        // Created on one thread, polled on another (one at a time): the confinement is ours, not Chronicle's.
        tailer.singleThreadedCheckDisabled(true);
    }

    /** Delivers up to {@code max} waiting messages to {@code sink}; returns how many documents were consumed. */
    public int poll(int max, Consumer<Message> sink) {
        int n = 0;
        while (n < max) {
            Map<String, String> raw;
            long index;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    break;
                }
                n++;
                if (dc.isMetaData()) {
                    continue;
                }
                index = dc.index();
                long size = dc.wire().bytes().readRemaining();
                raw = size > maxBytes ? null : readFields(dc.wire());
                if (raw == null) {
                    // Skipped inside the document, so that closing it consumes it.
                    skip("skipped the document at index " + Long.toHexString(index) + " unread: " + size
                            + " bytes (at most " + maxBytes + ") or more than " + MAX_FIELDS + " fields");
                    continue;
                }
            } catch (RuntimeException | InternalError e) {
                // The document may not have been consumed: end this poll rather than spin on it.
                failures++;
                lastFailure = e;
                skip("cannot read the next document: " + e);
                break;
            }
            Message m;
            try {
                m = MessageCodec.decode(raw);
            } catch (MalformedMessageException e) {
                skip("skipped malformed message at index " + Long.toHexString(index) + ": " + e.getMessage()
                        + "; fields " + Printable.oneLine(raw.keySet().toString(), 400));
                continue;
            }
            sink.accept(m);
        }
        return n;
    }

    /**
     * For short-lived callers that wait for an answer (the CLI, the class-data training run): delivers messages to
     * {@code sink} until {@code done} holds or {@code timeout} passes, pausing between empty polls with Chronicle's
     * 1 ms pauser. Returns whether {@code done} held. Not for the supervisor's loop, which must never wait.
     */
    public boolean pollUntil(Consumer<Message> sink, BooleanSupplier done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Pauser pauser = Pauser.millis(1);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            if (poll(16, sink) == 0) {
                pauser.pause();
            } else {
                pauser.reset();
            }
        }
        return true;
    }

    /** Messages skipped as unreadable or malformed since this reader was created. */
    public long skipped() {
        return skipped;
    }

    /**
     * Polls that ended because the queue could not be read (an exception, or a fault in a mapped file), as opposed to
     * a document skipped as too large or malformed: a caller that does not trust the writer judges the queue by these.
     */
    public long failures() {
        return failures;
    }

    /** What ended the latest failed poll ({@link #failures}), or null. */
    public Throwable lastFailure() {
        return lastFailure;
    }

    /**
     * Counts and logs a skipped document; a writer that keeps writing bad ones gets its first ten logged, then one in
     * a thousand (the writer may be a bot flooding the supervisor's log).
     */
    private void skip(String what) {
        skipped++;
        if (skipped <= 10 || skipped % 1000 == 0) {
            log.warn("{}: {} ({} skipped so far)", source, what, skipped);
        }
    }

    /** The document's fields, or null when it has more than {@link #MAX_FIELDS}. */
    private static Map<String, String> readFields(Wire wire) {
        Map<String, String> raw = new LinkedHashMap<>();
        StringBuilder name = new StringBuilder();
        while (wire.hasMore()) {
            if (raw.size() == MAX_FIELDS) {
                return null;
            }
            String value = wire.readEventName(name).text();
            raw.put(name.toString(), value == null ? "" : value);
        }
        return raw;
    }
}

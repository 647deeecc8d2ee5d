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
 * index and skipped; it never stops the reader. Not thread-safe: one thread polls a reader.
 */
public final class MessageReader {
    private static final Logger log = LoggerFactory.getLogger(MessageReader.class);
    private final ExcerptTailer tailer;
    private final String source;
    private long skipped;

    MessageReader(ExcerptTailer tailer, String source) {
        this.tailer = tailer;
        this.source = source;
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
                raw = readFields(dc.wire());
            } catch (RuntimeException e) {
                // The document may not have been consumed: end this poll rather than spin on it.
                skipped++;
                if (skipped <= 10 || skipped % 1000 == 0) {
                    log.warn("{}: cannot read the next document ({} failures so far): {}", source, skipped,
                            e.toString());
                }
                break;
            }
            Message m;
            try {
                m = MessageCodec.decode(raw);
            } catch (MalformedMessageException e) {
                skipped++;
                log.warn("{}: skipped malformed message at index {} ({} skipped so far): {}; fields {}",
                        source, Long.toHexString(index), skipped, e.getMessage(), raw.keySet());
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

    private static Map<String, String> readFields(Wire wire) {
        Map<String, String> raw = new LinkedHashMap<>();
        StringBuilder name = new StringBuilder();
        while (wire.hasMore()) {
            String value = wire.readEventName(name).text();
            raw.put(name.toString(), value == null ? "" : value);
        }
        return raw;
    }
}

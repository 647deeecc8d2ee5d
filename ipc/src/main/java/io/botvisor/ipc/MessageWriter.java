package io.botvisor.ipc;

import java.util.Map;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wire;

/**
 * Appends messages to one queue. Thread-safe: writes are serialised here, because a Chronicle appender is not; the
 * appender's own single-thread check is therefore switched off.
 */
public final class MessageWriter {
    private final ExcerptAppender appender;
    private final String source;

    MessageWriter(ExcerptAppender appender, String source) {
        this.appender = appender;
        this.source = source;
        appender.singleThreadedCheckDisabled(true);
    }

    public synchronized void write(Message message) {
        Fields fields = MessageCodec.encode(message);
        try (DocumentContext dc = appender.writingDocument()) {
            Wire wire = dc.wire();
            for (Map.Entry<String, String> e : fields.asMap().entrySet()) {
                wire.write(e.getKey()).text(e.getValue());
            }
        } catch (RuntimeException e) {
            throw new IpcException("cannot write " + fields.text("type", "?") + " to " + source + ": " + e, e);
        }
    }
}

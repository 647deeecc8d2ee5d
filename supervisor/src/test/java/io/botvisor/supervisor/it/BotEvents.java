package io.botvisor.supervisor.it;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The events a bot's children wrote to its events queue, read from the start. The queue is on disk and outlives both
 * the child and the supervisor, so it says what a child did when nobody was left to read its stdout. For tests only;
 * each call opens and closes the queue on the calling thread.
 */
final class BotEvents {
    private BotEvents() {
    }

    /** Every EVENT message in {@code botId}'s events queue under {@code stateDir}, oldest first. */
    static List<Message.Event> of(Path stateDir, String botId) {
        Path dir = new IpcLayout(stateDir).events(botId);
        List<Message.Event> out = new ArrayList<>();
        initialise(IpcQueue.class);
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_HOURLY)
                .build()) {
            ExcerptTailer tailer = q.createTailer().toStart();
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return out;
                    }
                    if (dc.isMetaData()) {
                        continue;
                    }
                    Map<String, String> raw = new LinkedHashMap<>();
                    StringBuilder name = new StringBuilder();
                    while (dc.wire().hasMore()) {
                        String value = dc.wire().readEventName(name).text();
                        raw.put(name.toString(), value == null ? "" : value);
                    }
                    if (MessageCodec.decode(raw) instanceof Message.Event e) {
                        out.add(e);
                    }
                }
            }
        }
    }

    /** IpcQueue's initialiser picks Chronicle's POSIX binding; it must run before any other Chronicle class loads. */
    private static void initialise(Class<?> c) {
        try {
            Class.forName(c.getName(), true, c.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }
}

package io.botvisor.ipc.internal;

import java.io.File;
import java.util.concurrent.atomic.AtomicReference;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a released cycle file once it is older than the previous cycle. Keeping one past cycle lets a reader that
 * lags across the hour boundary finish; everything older is stale control traffic by construction.
 * Called by Chronicle on whatever thread releases the file; thread-safe.
 */
public final class QueueRetention implements StoreFileListener {
    private static final Logger log = LoggerFactory.getLogger(QueueRetention.class);
    private final AtomicReference<SingleChronicleQueue> queue = new AtomicReference<>();

    public void attach(SingleChronicleQueue q) {
        queue.set(q);
    }

    @Override
    public void onReleased(int cycle, File file) {
        SingleChronicleQueue q = queue.get();
        if (q == null || q.isClosed() || cycle >= q.cycle() - 1) {
            return;
        }
        if (file.delete()) {
            log.debug("queue {}: deleted old cycle file {}", q.fileAbsolutePath(), file.getName());
        } else if (file.exists()) {
            log.warn("queue {}: could not delete old cycle file {}; it will be retried on the next release",
                    q.fileAbsolutePath(), file.getName());
        }
    }
}

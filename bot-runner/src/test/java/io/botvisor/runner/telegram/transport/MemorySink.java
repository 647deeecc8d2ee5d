package io.botvisor.runner.telegram.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** An inbox in memory: records every update, or throws for the next {@code failNext} batches, or records a prefix. */
final class MemorySink implements UpdateSink {
    final List<Long> recorded = new ArrayList<>();
    final AtomicInteger failNext = new AtomicInteger();
    volatile int recordAtMost = Integer.MAX_VALUE;

    @Override
    public synchronized int record(List<IncomingUpdate> updates) {
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("database down");
        }
        int n = Math.min(recordAtMost, updates.size());
        updates.subList(0, n).forEach(u -> recorded.add(u.updateId()));
        return n;
    }

    synchronized List<Long> recorded() {
        return List.copyOf(recorded);
    }
}

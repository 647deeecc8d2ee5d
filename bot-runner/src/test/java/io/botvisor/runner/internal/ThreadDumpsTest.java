package io.botvisor.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.Message;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadDumpsTest {
    @Test
    void blockedThreadShowsTheLockItWaitsForAndWhoHoldsIt() throws Exception {
        Object lock = new Object();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (lock) {
                held.countDown();
                awaitQuietly(release);
            }
        }, "dump-holder");
        Thread waiter = new Thread(() -> {
            synchronized (lock) {
                lock.notifyAll();
            }
        }, "dump-waiter");
        holder.start();
        held.await();
        waiter.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (waiter.getState() != Thread.State.BLOCKED) {
                assertThat(System.nanoTime()).as("the waiter blocks on the lock").isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(5); // polling a condition against a deadline
            }
            String dump = ThreadDumps.take(ManagementFactory.getThreadMXBean(), "test");

            String lockText = "<0x" + Integer.toHexString(System.identityHashCode(lock)) + "> (a java.lang.Object)";
            assertThat(dump).startsWith("test at ")
                    .contains("\"dump-waiter\" #" + waiter.getId() + " prio=5 BLOCKED\n")
                    .contains("    - waiting to lock " + lockText + " owned by \"dump-holder\" #" + holder.getId())
                    .contains("    - locked " + lockText);
        } finally {
            release.countDown();
            holder.join(10_000);
            waiter.join(10_000);
        }
    }

    @Test
    void dumpTooLongForAReplyIsCutAtALineWithWhereTheRestIs() {
        String dump = "0123456789\n".repeat(3000);

        String cut = OperatorCommands.cut(dump);

        assertThat(cut).hasSizeLessThanOrEqualTo(Message.MAX_REPLY)
                .endsWith("0123456789\n… cut after " + (cut.indexOf('…')) + " of 33000 characters: the whole dump is "
                        + "in the bot's stdout.log\n");
        assertThat(OperatorCommands.cut("short\n")).isEqualTo("short\n");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

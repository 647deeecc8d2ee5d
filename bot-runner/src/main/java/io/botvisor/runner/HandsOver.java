package io.botvisor.runner;

import java.time.Duration;

/**
 * A bot that can hand its work to a successor process without a gap: the supervisor's handover restart. The successor
 * starts in standby ({@link BotContext#standby()}): {@link Bot#start} warms up but takes no work, and the child says
 * READY. Then the serving process's {@link #handOver} stops taking work from outside and says where the successor
 * starts; the successor's {@link #takeOver} takes it from there (first without {@code serve} while its predecessor
 * finishes what it has in flight, then with it once the predecessor is gone). A bot that does not implement this is
 * restarted cold (stopped, then started).
 */
public interface HandsOver {

    /**
     * Stops taking work from outside (a Telegram bot: cuts its waiting poll, records what it received, confirms it to
     * Telegram) within {@code deadline} and returns where a successor starts (the offset Telegram accepted; 0 when
     * there is none). Called once, on the runtime's thread; {@link Bot#stop} follows and finishes the rest.
     */
    long handOver(Duration deadline) throws Exception;

    /**
     * In standby: takes work from outside from {@code from} (a Telegram bot: polls from that offset); with
     * {@code serve} also does it (handles, sends). Called with {@code serve} false and later true, or true at once;
     * a call repeating what was done already changes nothing.
     */
    void takeOver(long from, boolean serve) throws Exception;
}

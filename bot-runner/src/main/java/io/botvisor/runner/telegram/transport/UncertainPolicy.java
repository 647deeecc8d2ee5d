package io.botvisor.runner.telegram.transport;

/**
 * What the sender does with a send whose request was written but whose response was lost (it may have been
 * delivered; the Bot API has no idempotency key).
 *
 * <ul>
 *   <li>{@link #NEVER}: mark it {@code uncertain} at once. The user may miss a reply that never arrived, but never
 *       gets one twice. Right for anything whose duplicate does harm or confuses (payments, invoices, polls, a
 *       message that counts).</li>
 *   <li>{@link #RETRY_ONCE}: send it again once, at once (queued again as its chat's next call: within the per-chat
 *       limit, before the chat's later calls; its second attempt is counted); only a second lost response marks it
 *       {@code uncertain}. A lost response usually means a lost request on a flaky link, so this answers more often,
 *       at the price of at most one duplicate per lost response (never the 2–9 copies of a blind retry loop,
 *       python-telegram-bot#1045). A call in flight when its process ended (crashed, or stopped past its deadline)
 *       stays {@code sending}; the next process's start marks it uncertain and sends it once more if that was its
 *       first attempt. An uncertain call is never sent again: its chat has moved on.</li>
 * </ul>
 */
public enum UncertainPolicy {
    NEVER,
    RETRY_ONCE;

    /** The outbox's last error of a call queued again by {@link #RETRY_ONCE}. */
    public static final String SENT_ONCE_MORE = "sent once more after an uncertain send (uncertainSends: retry-once)";
}

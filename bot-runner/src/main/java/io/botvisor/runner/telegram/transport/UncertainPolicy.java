package io.botvisor.runner.telegram.transport;

/**
 * What the sender does with a send whose request was written but whose response was lost (it may have been
 * delivered; the Bot API has no idempotency key).
 *
 * <ul>
 *   <li>{@link #NEVER}: mark it {@code uncertain} at once. The user may miss a reply that never arrived, but never
 *       gets one twice. Right for anything whose duplicate does harm or confuses (payments, invoices, polls, a
 *       message that counts).</li>
 *   <li>{@link #RETRY_ONCE}: send it again once, at once (within the per-chat limit); only a second lost response
 *       marks it {@code uncertain}. A lost response usually means a lost request on a flaky link, so this answers
 *       more often, at the price of at most one duplicate per lost response (never the 2–9 copies of a blind retry
 *       loop, python-telegram-bot#1045). If the process dies between the two, the row stays {@code sending} and the
 *       next process's outbox treats it as uncertain.</li>
 * </ul>
 */
public enum UncertainPolicy {
    NEVER,
    RETRY_ONCE
}

package io.botvisor.sandbox;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What users did and what bots sent, in order, across all bots: the data of the latency report; each event and send
 * also goes to the {@link AnswerLedger}, which keeps the verdict's counts over all of them. Append-only, the oldest
 * dropped past a limit (0: none); thread-safe (one lock, on which {@link #awaitSend} waits, taken before the
 * ledger's); readers get copies.
 */
final class Journal {

    private final ArrayDeque<UserEvent> events = new ArrayDeque<>();
    private final ArrayList<BotMessage> sends = new ArrayList<>();
    private final int limit;
    private final AnswerLedger ledger;
    /** Sends dropped for the limit: a send's absolute index is its list index + this. */
    private int droppedSends;

    /**
     * A journal of everything ({@code limit} 0) or of the last {@code limit} events and sends; each one also goes
     * to the ledger, which counts them all.
     */
    Journal(int limit, AnswerLedger ledger) {
        this.limit = limit;
        this.ledger = ledger;
    }

    synchronized void event(UserEvent e) {
        ledger.said(e);
        events.addLast(e);
        if (limit > 0 && events.size() > limit) {
            events.pollFirst();
        }
    }

    synchronized void send(BotMessage m) {
        ledger.sent(m);
        sends.add(m);
        if (limit > 0 && sends.size() > 2 * limit) {
            // Drop in halves: removing from the front of an ArrayList is a copy, done once per `limit` sends.
            sends.subList(0, limit).clear();
            droppedSends += limit;
        }
        notifyAll();
    }

    /** Waits until a bot sends something or the deadline ({@link System#nanoTime()}) passes. */
    synchronized void awaitSend(int sendsSeen, long deadlineNanos) throws InterruptedException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (droppedSends + sends.size() == sendsSeen && left > 0) {
            wait(left);
        }
    }

    /**
     * Adds the sends from absolute index {@code from} on to {@code into} (those dropped for the limit are gone) and
     * returns the absolute index after the last one.
     */
    synchronized int sendsFrom(int from, List<BotMessage> into) {
        int start = Math.max(0, Math.min(from - droppedSends, sends.size()));
        into.addAll(sends.subList(start, sends.size()));
        return droppedSends + sends.size();
    }

    /** How many sends there have been, dropped ones included. */
    synchronized int sendCount() {
        return droppedSends + sends.size();
    }

    synchronized List<UserEvent> events() {
        return new ArrayList<>(events);
    }

    synchronized List<BotMessage> sends() {
        return new ArrayList<>(sends);
    }
}

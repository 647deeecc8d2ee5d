package io.botvisor.sandbox;

import java.util.ArrayList;
import java.util.List;

/**
 * What users did and what bots sent, in order, across all bots: the data of the latency report and of the "every
 * message answered" and duplicate checks. Append-only; thread-safe (one lock, on which
 * {@link #awaitSend} waits); readers get copies.
 */
final class Journal {

    private final List<UserEvent> events = new ArrayList<>();
    private final List<BotMessage> sends = new ArrayList<>();

    synchronized void event(UserEvent e) {
        events.add(e);
    }

    synchronized void send(BotMessage m) {
        sends.add(m);
        notifyAll();
    }

    /** Waits until a bot sends something or the deadline ({@link System#nanoTime()}) passes. */
    synchronized void awaitSend(int sendsSeen, long deadlineNanos) throws InterruptedException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (sends.size() == sendsSeen && left > 0) {
            wait(left);
        }
    }

    /** The sends from index {@code from} on (a copy). */
    synchronized List<BotMessage> sendsFrom(int from) {
        return new ArrayList<>(sends.subList(Math.min(from, sends.size()), sends.size()));
    }

    synchronized List<UserEvent> events() {
        return new ArrayList<>(events);
    }

    synchronized List<BotMessage> sends() {
        return new ArrayList<>(sends);
    }
}

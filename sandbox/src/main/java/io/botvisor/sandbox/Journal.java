package io.botvisor.sandbox;

import java.util.ArrayList;
import java.util.List;

/**
 * What users did and what bots sent, in order, across all bots: the data of the latency report and of the "every
 * message answered" and duplicate checks. Append-only; thread-safe (one lock); readers get copies.
 */
final class Journal {

    private final List<UserEvent> events = new ArrayList<>();
    private final List<BotMessage> sends = new ArrayList<>();

    synchronized void event(UserEvent e) {
        events.add(e);
    }

    synchronized void send(BotMessage m) {
        sends.add(m);
    }

    synchronized List<UserEvent> events() {
        return new ArrayList<>(events);
    }

    synchronized List<BotMessage> sends() {
        return new ArrayList<>(sends);
    }
}

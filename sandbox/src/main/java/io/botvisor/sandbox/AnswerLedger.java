package io.botvisor.sandbox;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The verdict's checks on messages, kept as users speak and bots send, so that they cover a run of any length in
 * small state: every user message (text or command) answered, answered once, per chat in order, and the update →
 * reply latency. Pairing is {@link LatencyReport}'s: a bot message answers the user message it replies to if that
 * one waits, else (no reply-to, or a reply to something that is not a user message) the chat's oldest waiting message
 * said before it; a second reply to an answered message, or a message with nothing left to answer, is a duplicate.
 *
 * <p>Per chat it keeps the messages still waiting and which of its last {@link #WINDOW} message ids were answered
 * (a bit each): an answer to a message older than that is not recognised as one, and is paired as a message without
 * a reply-to. Thread-safe (one lock; called under a bot's chat lock, never the other way).
 */
final class AnswerLedger {

    /** Message ids per chat whose "answered" bit is kept. */
    static final int WINDOW = 4096;

    private static final class Waiting {
        final long messageId;
        final long atMillis;
        final String text;
        /** False for a message said before the last reset: its answer counts nowhere. */
        boolean counted = true;

        Waiting(long messageId, long atMillis, String text) {
            this.messageId = messageId;
            this.atMillis = atMillis;
            this.text = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        }
    }

    private static final class Chat {
        final long botId;
        final long chatId;
        /** Waiting user messages by id, oldest first (ids grow). */
        final LinkedHashMap<Long, Waiting> waiting = new LinkedHashMap<>();
        /** Bit i: message id base + i was answered. */
        BitSet answered = new BitSet();
        long base = 1;
        long lastAnswered;

        Chat(long botId, long chatId) {
            this.botId = botId;
            this.chatId = chatId;
        }

        void markAnswered(long messageId) {
            if (messageId < base) {
                return;
            }
            if (messageId - base >= 2L * WINDOW) {
                long newBase = messageId - WINDOW;
                answered = answered.get((int) (newBase - base), (int) (messageId - base));
                base = newBase;
            }
            answered.set((int) (messageId - base));
        }

        boolean wasAnswered(long messageId) {
            return messageId >= base && messageId - base < 2L * WINDOW && answered.get((int) (messageId - base));
        }
    }

    /** One bot's figures. */
    static final class Tally {
        long said;
        long answered;
        long pending;
        long duplicates;
        long outOfOrder;

        Tally copy() {
            Tally c = new Tally();
            c.said = said;
            c.answered = answered;
            c.pending = pending;
            c.duplicates = duplicates;
            c.outOfOrder = outOfOrder;
            return c;
        }
    }

    private final Map<Long, Map<Long, Chat>> chats = new HashMap<>();
    private final Map<Long, Tally> bots = new TreeMap<>();
    private final List<Offence> duplicates = new ArrayList<>();
    private final List<Offence> outOfOrder = new ArrayList<>();
    private final LatencyHistogram latency = new LatencyHistogram();
    private long sinceMillis;

    /** A ledger counting from {@code startMillis} (the server's start, on its clock). */
    AnswerLedger(long startMillis) {
        this.sinceMillis = startMillis;
    }

    private Chat chat(long botId, long chatId) {
        return chats.computeIfAbsent(botId, id -> new HashMap<>()).computeIfAbsent(chatId, id -> new Chat(botId, id));
    }

    private Tally tally(long botId) {
        return bots.computeIfAbsent(botId, id -> new Tally());
    }

    synchronized void said(UserEvent e) {
        if (!e.kind().equals("text") && !e.kind().equals("command")) {
            return;
        }
        chat(e.botId(), e.chatId()).waiting.put(e.messageId(), new Waiting(e.messageId(), e.atMillis(), e.text()));
        Tally t = tally(e.botId());
        t.said++;
        t.pending++;
    }

    synchronized void sent(BotMessage m) {
        Chat chat = chat(m.botId(), m.chatId());
        Waiting target = m.replyToMessageId() != 0 ? chat.waiting.remove(m.replyToMessageId()) : null;
        if (target == null && m.replyToMessageId() != 0 && chat.wasAnswered(m.replyToMessageId())) {
            duplicate(chat, m, "a second reply (message " + m.messageId() + ") to message " + m.replyToMessageId());
            return;
        }
        if (target == null) {
            Iterator<Waiting> oldest = chat.waiting.values().iterator();
            if (oldest.hasNext()) {
                Waiting w = oldest.next();
                if (w.messageId < m.messageId()) {
                    target = w;
                    oldest.remove();
                }
            }
        }
        if (target == null) {
            duplicate(chat, m, "message " + m.messageId() + " answers nothing (every user message before it was"
                    + " answered)");
            return;
        }
        answer(chat, target, m);
    }

    private void answer(Chat chat, Waiting w, BotMessage m) {
        chat.markAnswered(w.messageId);
        boolean inOrder = w.messageId > chat.lastAnswered;
        long after = chat.lastAnswered;
        chat.lastAnswered = Math.max(chat.lastAnswered, w.messageId);
        if (!w.counted) {
            return;
        }
        Tally t = tally(chat.botId);
        t.answered++;
        t.pending--;
        latency.record(m.sentAtMillis() - w.atMillis);
        if (!inOrder) {
            t.outOfOrder++;
            add(outOfOrder, new Offence(chat.botId, chat.chatId, w.messageId, 0, m.sentAtMillis(), "message "
                    + w.messageId + " answered (by message " + m.messageId() + ") after message " + after));
        }
    }

    private void duplicate(Chat chat, BotMessage m, String what) {
        tally(chat.botId).duplicates++;
        add(duplicates, new Offence(chat.botId, chat.chatId, m.replyToMessageId(), 0, m.sentAtMillis(),
                what + ": \"" + (m.text().length() > 40 ? m.text().substring(0, 40) + "…" : m.text()) + "\""));
    }

    private static void add(List<Offence> first, Offence o) {
        if (first.size() < CallChecks.FIRST) {
            first.add(o);
        }
    }

    /**
     * Starts the counts afresh at {@code now}: messages waiting now are no longer counted (a reply to one is neither
     * an answer nor, the first time, a duplicate), as {@link LatencyReport}'s {@code since}.
     */
    synchronized void reset(long now) {
        sinceMillis = now;
        for (Map<Long, Chat> perBot : chats.values()) {
            for (Chat c : perBot.values()) {
                c.waiting.values().forEach(w -> w.counted = false);
            }
        }
        bots.replaceAll((id, t) -> new Tally());
        duplicates.clear();
        outOfOrder.clear();
        latency.clear();
    }

    /** The figures now, and the {@code first} longest-waiting counted messages as offences at {@code now}. */
    synchronized Snapshot snapshot(long now) {
        List<Waiting> heads = new ArrayList<>();
        List<Chat> headChats = new ArrayList<>();
        for (Map<Long, Chat> perBot : chats.values()) {
            for (Chat c : perBot.values()) {
                for (Waiting w : c.waiting.values()) {
                    if (w.counted) {
                        heads.add(w);
                        headChats.add(c);
                        break;
                    }
                }
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < heads.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong(i -> heads.get(i).atMillis));
        List<Offence> pending = new ArrayList<>();
        for (int i : order.subList(0, Math.min(CallChecks.FIRST, order.size()))) {
            Waiting w = heads.get(i);
            Chat c = headChats.get(i);
            pending.add(new Offence(c.botId, c.chatId, w.messageId, 0, w.atMillis, "not answered after "
                    + (now - w.atMillis) + " ms: \"" + w.text + "\""));
        }
        Map<Long, Tally> perBot = new TreeMap<>();
        bots.forEach((id, t) -> perBot.put(id, t.copy()));
        return new Snapshot(sinceMillis, perBot, pending, List.copyOf(duplicates), List.copyOf(outOfOrder),
                latency.count(), latency.percentile(50), latency.percentile(99), latency.max());
    }

    /** Whether no counted message waits. */
    synchronized boolean nothingPending() {
        for (Tally t : bots.values()) {
            if (t.pending > 0) {
                return false;
            }
        }
        return true;
    }

    /** The figures at one moment; {@code pending} is the longest-waiting chats' oldest messages, oldest first. */
    record Snapshot(long sinceMillis, Map<Long, Tally> perBot, List<Offence> pending, List<Offence> duplicates,
                    List<Offence> outOfOrder, long latencyCount, long p50Millis, long p99Millis, long maxMillis) {
    }
}

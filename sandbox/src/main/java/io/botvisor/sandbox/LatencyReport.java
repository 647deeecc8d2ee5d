package io.botvisor.sandbox;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Update → reply figures from the journal: a user message is answered by the bot's first message in the same chat
 * that replies to it ({@code reply_to_message_id}), or else by the first later unclaimed message in that chat; a
 * second reply to an answered message, or a reply with nothing left to answer, is a duplicate. Immutable.
 *
 * @param sent user messages (text and commands) injected
 * @param answered of those, how many got a reply
 * @param duplicates bot messages beyond one per user message
 * @param p50Millis median latency of the answered ones (0 when none)
 * @param p99Millis 99th percentile latency (0 when none)
 * @param firstMillis when the first user message was injected
 * @param lastReplyMillis when the last reply was sent (throughput = answered / (lastReply - first))
 */
public record LatencyReport(
        int sent, int answered, int duplicates, long p50Millis, long p99Millis, long firstMillis, long lastReplyMillis) {

    static LatencyReport of(List<UserEvent> events, List<BotMessage> sends, Set<Long> bots, long sinceMillis) {
        // The whole journal is paired, so that a reply after `since` to a message from before it (the caller's
        // `since` and this clock may differ by a few ms) is recognised and left out, not taken for a duplicate;
        // only messages from `since` on and replies from `since` on are counted.
        Map<String, ArrayDeque<UserEvent>> waiting = new HashMap<>();
        Map<String, UserEvent> byMessage = new HashMap<>();
        Set<String> done = new HashSet<>();
        int sent = 0;
        long first = 0;
        for (UserEvent e : events) {
            if ((bots.isEmpty() || bots.contains(e.botId()))
                    && (e.kind().equals("text") || e.kind().equals("command"))) {
                waiting.computeIfAbsent(e.botId() + "/" + e.chatId(), k -> new ArrayDeque<>()).add(e);
                byMessage.put(e.botId() + "/" + e.chatId() + "/" + e.messageId(), e);
                if (e.atMillis() >= sinceMillis) {
                    sent++;
                    first = first == 0 ? e.atMillis() : first;
                }
            }
        }
        List<Long> latencies = new ArrayList<>();
        int duplicates = 0;
        long lastReply = 0;
        for (BotMessage m : sends) {
            if (!bots.isEmpty() && !bots.contains(m.botId())) {
                continue;
            }
            String chat = m.botId() + "/" + m.chatId();
            UserEvent target = m.replyToMessageId() != 0 ? byMessage.get(chat + "/" + m.replyToMessageId()) : null;
            if (target == null) {
                // The oldest message of the chat not answered yet (answered ones leave the head lazily).
                ArrayDeque<UserEvent> queue = waiting.getOrDefault(chat, new ArrayDeque<>());
                while (!queue.isEmpty() && done.contains(chat + "/" + queue.peekFirst().messageId())) {
                    queue.pollFirst();
                }
                if (!queue.isEmpty() && queue.peekFirst().messageId() < m.messageId()) {
                    target = queue.peekFirst();
                }
            }
            if (target == null || !done.add(chat + "/" + target.messageId())) {
                if (m.sentAtMillis() >= sinceMillis) {
                    duplicates++;
                }
                continue;
            }
            if (target.atMillis() >= sinceMillis) {
                latencies.add(m.sentAtMillis() - target.atMillis());
                lastReply = Math.max(lastReply, m.sentAtMillis());
            }
        }
        Collections.sort(latencies);
        return new LatencyReport(sent, latencies.size(), duplicates, percentile(latencies, 50),
                percentile(latencies, 99), first, lastReply);
    }

    private static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    /** Replies per second between the first user message and the last reply. */
    public double throughputPerSecond() {
        return lastReplyMillis > firstMillis ? answered * 1000.0 / (lastReplyMillis - firstMillis) : 0;
    }
}

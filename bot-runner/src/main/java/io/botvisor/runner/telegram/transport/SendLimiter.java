package io.botvisor.runner.telegram.transport;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Telegram's outgoing limits as arithmetic on send times: one send per {@code perChat} to a chat, at most
 * {@code groupPerMinute} in any 60 s to a group (chat id &lt; 0), at most {@code overallPerSecond} in any 1 s in all.
 * {@link #delayNanos} says how long a send to a chat must wait; {@link #record} counts one. Time is passed in
 * (monotonic nanoseconds), so tests run on a fake clock. A call in flight holds its place from {@link #begin} until
 * {@link #end}, which moves it to when the call ended: concurrent sends cannot overrun a limit between a call's start
 * and its end, and the spacing still holds at Telegram's end whatever the network's jitter. Not thread-safe: the
 * sender holds it under one lock.
 */
final class SendLimiter {
    private static final long MINUTE = Duration.ofMinutes(1).toNanos();
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private final long perChat;
    private final int groupPerMinute;
    private final int overallPerSecond;
    private final Map<Long, Long> lastByChat = new HashMap<>();
    private final Map<Long, ArrayDeque<Long>> groupSends = new HashMap<>();
    private final ArrayDeque<Long> overall = new ArrayDeque<>();

    SendLimiter(Duration perChat, int groupPerMinute, int overallPerSecond) {
        this.perChat = perChat.toNanos();
        this.groupPerMinute = groupPerMinute;
        this.overallPerSecond = overallPerSecond;
    }

    /** Nanoseconds until a send to {@code chatId} is allowed; 0 when it is allowed now. */
    long delayNanos(long chatId, long now) {
        long wait = 0;
        Long last = lastByChat.get(chatId);
        if (last != null) {
            wait = Math.max(wait, last + perChat - now);
        }
        ArrayDeque<Long> group = groupSends.get(chatId);
        if (group != null) {
            prune(group, now - MINUTE);
            if (group.size() >= groupPerMinute) {
                wait = Math.max(wait, group.peekFirst() + MINUTE - now);
            }
        }
        prune(overall, now - SECOND);
        if (overall.size() >= overallPerSecond) {
            wait = Math.max(wait, overall.peekFirst() + SECOND - now);
        }
        return Math.max(0, wait);
    }

    /** One send to {@code chatId} at {@code now}. */
    void record(long chatId, long now) {
        lastByChat.put(chatId, now);
        if (chatId < 0) {
            groupSends.computeIfAbsent(chatId, c -> new ArrayDeque<>()).addLast(now);
        }
        overall.addLast(now);
    }

    /** A call to {@code chatId} leaves at {@code now}: it counts from now until {@link #end} moves it. */
    void begin(long chatId, long now) {
        record(chatId, now);
    }

    /** The call that {@link #begin began} at {@code began} ended at {@code now}: it counts from now instead. */
    void end(long chatId, long began, long now) {
        cancel(chatId, began);
        record(chatId, now);
    }

    /** The call that {@link #begin began} at {@code began} was not made: it no longer counts overall or to a group. */
    void cancel(long chatId, long began) {
        overall.removeFirstOccurrence(began);
        ArrayDeque<Long> group = groupSends.get(chatId);
        if (group != null) {
            group.removeFirstOccurrence(began);
        }
    }

    /** Forgets what can no longer delay anything, so a bot talking to many chats does not grow this forever. */
    void gc(long now) {
        lastByChat.values().removeIf(t -> t + perChat - now <= 0);
        for (Iterator<ArrayDeque<Long>> it = groupSends.values().iterator(); it.hasNext(); ) {
            ArrayDeque<Long> group = it.next();
            prune(group, now - MINUTE);
            if (group.isEmpty()) {
                it.remove();
            }
        }
        prune(overall, now - SECOND);
    }

    int trackedChats() {
        return lastByChat.size() + groupSends.size();
    }

    /** Drops send times at or before {@code horizon} (they fell out of the window). */
    private static void prune(ArrayDeque<Long> times, long horizon) {
        while (!times.isEmpty() && times.peekFirst() - horizon <= 0) {
            times.removeFirst();
        }
    }
}

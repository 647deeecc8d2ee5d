package io.botvisor.runner.telegram.transport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An outbox in memory, keeping the rules of {@link OutboxPort}, and a log of what the sender told it. */
final class MemoryOutbox implements OutboxPort {
    static final class Row {
        final long id;
        long chatId;
        String payload;
        final String method;
        String state = "queued";
        int attempts;
        Long messageId;
        String reason;
        boolean resent;

        Row(long id, long chatId, String method, String payload) {
            this.id = id;
            this.chatId = chatId;
            this.method = method;
            this.payload = payload;
        }
    }

    private final Map<Long, Row> rows = new LinkedHashMap<>();
    private final List<String> log = new ArrayList<>();
    private long nextId = 1;

    synchronized long queue(long chatId, String text) {
        long id = nextId++;
        rows.put(id, new Row(id, chatId, "sendMessage", "{\"chat_id\":" + chatId + ",\"text\":\"" + text + "\"}"));
        return id;
    }

    synchronized Row row(long id) {
        return rows.get(id);
    }

    synchronized String state(long id) {
        return rows.get(id).state;
    }

    synchronized List<String> log() {
        return List.copyOf(log);
    }

    @Override
    public synchronized List<OutgoingCall> sendable(int limit) {
        Map<Long, OutgoingCall> heads = new LinkedHashMap<>();
        List<Long> busy = new ArrayList<>();
        for (Row r : rows.values()) {
            if (r.state.equals("sending")) {
                busy.add(r.chatId);
            }
        }
        for (Row r : rows.values()) {
            if (r.state.equals("queued") && !busy.contains(r.chatId) && !heads.containsKey(r.chatId)
                    && heads.size() < limit) {
                heads.put(r.chatId, new OutgoingCall(r.id, r.chatId, r.method, r.payload, r.attempts,
                        r.resent));
            }
            if (r.state.equals("queued")) {
                busy.add(r.chatId); // later rows of this chat wait for this one
            }
        }
        return new ArrayList<>(heads.values());
    }

    /** A call whose next claim commits but throws, as a database that dies before the commit's answer arrives. */
    Long loseClaimAnswerOf;

    /** A call whose claim waits for {@link #claimHold} to open, as a slow commit would. */
    volatile Long holdClaimOf;
    final java.util.concurrent.CountDownLatch claimHold = new java.util.concurrent.CountDownLatch(1);

    @Override
    public boolean sending(long id) {
        if (Long.valueOf(id).equals(holdClaimOf)) {
            try {
                claimHold.await(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return claim(id);
    }

    private synchronized boolean claim(long id) {
        if (!rows.get(id).state.equals("queued")) {
            return false;
        }
        rows.get(id).state = "sending";
        rows.get(id).attempts++;
        if (Long.valueOf(id).equals(loseClaimAnswerOf)) {
            loseClaimAnswerOf = null;
            log.add("sending " + id + " answer lost");
            throw new IllegalStateException("the database went down before the commit's answer arrived");
        }
        log.add("sending " + id);
        return true;
    }

    @Override
    public synchronized int requeueStray(Set<Long> inFlight) {
        int n = 0;
        for (Row r : rows.values()) {
            if (r.state.equals("sending") && !inFlight.contains(r.id)) {
                r.state = "queued";
                log.add("stray " + r.id + " queued again");
                n++;
            }
        }
        return n;
    }

    /** How many of the next calls of {@link #sent} throw, as a database that went down would. */
    int failNextSent;

    @Override
    public synchronized void sent(long id, Long telegramMessageId) {
        if (failNextSent > 0) {
            failNextSent--;
            log.add("sent " + id + " failed");
            throw new IllegalStateException("the database is down");
        }
        rows.get(id).state = "sent";
        rows.get(id).messageId = telegramMessageId;
        log.add("sent " + id);
    }

    @Override
    public synchronized void uncertain(long id, String reason) {
        end(id, "uncertain", reason);
    }

    @Override
    public synchronized void failed(long id, String reason) {
        end(id, "failed", reason);
    }

    @Override
    public synchronized void requeue(long id, String reason) {
        end(id, "queued", reason);
    }

    @Override
    public synchronized void resendOnce(long id) {
        rows.get(id).resent = true;
        end(id, "queued", UncertainPolicy.SENT_ONCE_MORE);
    }

    private void end(long id, String state, String reason) {
        rows.get(id).state = state;
        rows.get(id).reason = reason;
        log.add(state + " " + id + ": " + reason);
    }

    @Override
    public synchronized int migrateChat(long oldChatId, long newChatId) {
        int moved = 0;
        for (Row r : rows.values()) {
            if (r.chatId == oldChatId && !r.state.equals("sent")) {
                r.chatId = newChatId;
                r.payload = r.payload.replace("\"chat_id\":" + oldChatId, "\"chat_id\":" + newChatId);
                moved++;
            }
        }
        log.add("migrate " + oldChatId + " -> " + newChatId);
        return moved;
    }
}

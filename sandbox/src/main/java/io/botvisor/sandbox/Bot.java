package io.botvisor.sandbox;

/**
 * One bot the server knows (by the digits of its token): its token's secret (the first one seen, or the one
 * registered), whether it was revoked and how a revoked token is answered, its 429 window, its updates and chats.
 * The mutable fields are guarded by this object's monitor.
 */
final class Bot {

    final long id;
    final BotState updates;
    final BotChats chats;
    private String secret;
    private boolean revoked;
    private boolean notFoundOnGetMe;
    /** How long after a 429's answer starts to leave the server a call of the same bot does not count against it. */
    static final long RETRY_GRACE_MILLIS = 250;
    private long retryFrom = Long.MIN_VALUE;
    private long retryUntil = Long.MIN_VALUE;
    /** The 429 that opened the window now running (or last ran): its call's seq and method, and when it was written. */
    private long openedBySeq;
    private String openedByMethod;
    private long openedAt;

    Bot(long id, String secret, SandboxClock clock, long seed, Journal journal, int chatHistory) {
        this.id = id;
        this.secret = secret;
        this.updates = new BotState(id, clock, seed);
        this.chats = new BotChats(id, updates, clock, journal, chatHistory);
    }

    /** Null when the token is accepted, else the status to answer: 401, or 404 for getMe when so configured. */
    synchronized ApiResult reject(String tokenSecret, String method) {
        if (secret == null) {
            secret = tokenSecret;
        }
        if (!revoked && secret.equals(tokenSecret)) {
            return null;
        }
        if (notFoundOnGetMe && method.equalsIgnoreCase("getMe")) {
            return ApiResult.error(404, "Not Found");
        }
        return ApiResult.error(401, "Unauthorized");
    }

    synchronized void revoke(boolean answerGetMeNotFound) {
        revoked = true;
        notFoundOnGetMe = answerGetMeNotFound;
    }

    synchronized void restore() {
        revoked = false;
    }

    /**
     * Opens (or extends) the window of a 429 to call {@code seq} ({@code method}) whose answer starts to be written at
     * {@code writtenAt}. The window runs from then, not from the call's arrival: under load the server may write its
     * answer long after the call arrived, and no client can obey a 429 before it was sent.
     */
    synchronized void retryAfter(long writtenAt, int seconds, long seq, String method) {
        if (writtenAt >= retryUntil) {
            retryFrom = writtenAt + RETRY_GRACE_MILLIS;
            openedBySeq = seq;
            openedByMethod = method;
            openedAt = writtenAt;
        }
        retryUntil = Math.max(retryUntil, writtenAt + seconds * 1000L);
    }

    /**
     * The 429's answer to call {@code seq} was not delivered (the client had gone): if its window is the one running
     * and no later 429 extended it, it is closed again, as the client never learned of it.
     */
    synchronized void retryAfterUndelivered(long seq, long writtenAt, int seconds) {
        if (openedBySeq == seq && retryUntil == writtenAt + seconds * 1000L) {
            retryUntil = Long.MIN_VALUE;
        }
    }

    /**
     * Null when a call arriving at {@code now} keeps the 429 windows, else how it breaks the one running: how long
     * after that 429's answer was written it arrived. The first {@link #RETRY_GRACE_MILLIS} do not count: a call of
     * another thread of the bot (its poller, while its sender got the 429) may be on its way before the 429 reached the
     * client, which cannot obey what it has not received yet.
     */
    synchronized String insideRetryWindow(long now) {
        if (now < retryFrom || now >= retryUntil) {
            return null;
        }
        return (now - openedAt) + " ms after the 429 answered to call " + openedBySeq + " (" + openedByMethod
                + ") was written, " + (retryUntil - now) + " ms before its window ended";
    }
}

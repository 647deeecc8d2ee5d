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
    /** How long after a 429 leaves the server a call of the same bot still does not count against it. */
    static final long RETRY_GRACE_MILLIS = 250;
    private long retryFrom = Long.MIN_VALUE;
    private long retryUntil = Long.MIN_VALUE;

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

    /** Opens (or extends) the window of a 429 given at {@code now}. */
    synchronized void retryAfter(long now, int seconds) {
        if (now >= retryUntil) {
            retryFrom = now + RETRY_GRACE_MILLIS;
        }
        retryUntil = Math.max(retryUntil, now + seconds * 1000L);
    }

    /**
     * Whether a call arriving at {@code now} breaks a 429's window. The first {@link #RETRY_GRACE_MILLIS} of it do not
     * count: a call of another thread of the bot (its poller, while its sender got the 429) may be on its way before
     * the 429 reached the client, which cannot obey what it has not received yet.
     */
    synchronized boolean insideRetryWindow(long now) {
        return now >= retryFrom && now < retryUntil;
    }
}

package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One call the server saw, as the record keeps it: the bot (0 when the token was malformed), the method as written,
 * the merged parameters, when it arrived, what it was answered and when, and whether the answer was delivered.
 * {@code insideRetryWindow} is true when the call arrived while a 429 this server gave the same bot still ran: a
 * violation of {@code retry_after}. {@code fault} names the injected fault that shaped the answer, or is null.
 * {@code clientPort} is the client's TCP port (0 when unknown): the calls of one connection share it. Immutable
 * snapshot.
 */
public record Call(
        long seq,
        long botId,
        String method,
        JsonNode params,
        long arrivedAtMillis,
        int status,
        long answeredAtMillis,
        Delivery delivery,
        boolean insideRetryWindow,
        String fault,
        int clientPort) {

    /** True for a getUpdates that was answered 409 because another poll took over. */
    public boolean endedByOtherPoll() {
        return status == 409 && "terminated by other getUpdates".equals(fault);
    }
}

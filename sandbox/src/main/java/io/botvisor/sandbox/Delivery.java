package io.botvisor.sandbox;

/** What became of a call's response. */
public enum Delivery {
    /** Not answered yet: a parked getUpdates, or a slow response on its way. */
    PENDING,
    /** The response was written to the connection. */
    DELIVERED,
    /** A fault closed the connection before the call was handled: nothing was applied. */
    DROPPED_BEFORE_APPLYING,
    /** A fault closed the connection after the call was applied (a message WAS sent) but before the response. */
    DROPPED_AFTER_APPLYING,
    /** Writing the response failed: the client had gone. */
    UNDELIVERED
}

package io.botvisor.runner;

/** A bot's verdict on its own health; {@code detail} says what is wrong, for the operator. Immutable. */
public record SelfCheck(boolean healthy, String detail) {
    private static final SelfCheck OK = new SelfCheck(true, "");

    public static SelfCheck passing() {
        return OK;
    }

    public static SelfCheck failing(String detail) {
        return new SelfCheck(false, detail);
    }
}

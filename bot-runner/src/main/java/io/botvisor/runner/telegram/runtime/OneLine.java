package io.botvisor.runner.telegram.runtime;

/** An exception as one short line for a log: its class and the first line of its message. Stateless. */
final class OneLine {
    private OneLine() {
    }

    static String of(Throwable e) {
        if (e == null) {
            return "unknown";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }
}

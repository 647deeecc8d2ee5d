package io.botvisor.supervisor.process;

/**
 * How a child ended. Java reports death by signal N as exit value 128 + N, so 129..159 are shown with the signal's
 * name; a child that exits with such a code by itself is indistinguishable. Immutable.
 */
public record ExitStatus(int code) {
    private static final String[] SIGNALS = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"};

    /** The signal's name if the code means death by a known signal, else null. */
    public String signal() {
        int s = code - 128;
        return s > 0 && s < SIGNALS.length ? SIGNALS[s] : null;
    }

    public boolean clean() {
        return code == 0;
    }

    /** {@code code 3} or {@code 137 (SIGKILL)}. */
    public String describe() {
        String s = signal();
        return s == null ? "code " + code : code + " (" + s + ")";
    }
}

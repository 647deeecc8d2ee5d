package io.botvisor.supervisor.cli;

import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Which signal stopped the supervisor, for its shutdown hook's log line: a shutdown hook cannot tell SIGINT (Ctrl-C)
 * from SIGTERM. A handler for each notes the signal's name, then hands it on to the JVM's own handler, which starts
 * the shutdown as before (same hooks, same exit codes). A signal the JVM ignores (ignored when it started, or
 * {@code -Xrs}) stays ignored. Thread-safe: handlers run on the JVM's signal thread, the hook reads on its own.
 */
final class StopSignals {
    private final AtomicReference<String> received = new AtomicReference<>();

    private StopSignals() {
    }

    /** Starts noting SIGINT and SIGTERM. */
    static StopSignals install() {
        StopSignals s = new StopSignals();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal signal = new Signal(name);
            SignalHandler[] previous = new SignalHandler[1];
            try {
                previous[0] = Signal.handle(signal, sig -> {
                    s.received.compareAndSet(null, "SIG" + sig.getName());
                    SignalHandler jvm = previous[0];
                    if (jvm != null) {
                        jvm.handle(sig);
                    } else {
                        Runtime.getRuntime().exit(128 + sig.getNumber()); // what the JVM's handler does
                    }
                });
            } catch (IllegalArgumentException e) {
                continue; // the JVM keeps this signal for itself (-Xrs): it was never ours to note
            }
            if (previous[0] == SignalHandler.SIG_DFL || previous[0] == SignalHandler.SIG_IGN) {
                // Not the JVM's shutdown handler: a native disposition cannot be called from Java; put it back.
                Signal.handle(signal, previous[0]);
            }
        }
        return s;
    }

    /** "SIGINT" or "SIGTERM" when one of them started the shutdown; otherwise {@code orElse}. */
    String reason(String orElse) {
        String r = received.get();
        return r == null ? orElse : r;
    }
}

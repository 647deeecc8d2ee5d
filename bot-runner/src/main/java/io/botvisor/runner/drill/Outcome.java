package io.botvisor.runner.drill;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;

/**
 * What one attack attempt of {@link AttackBot} came to, and the one line it prints for it:
 * {@code attack NAME: blocked (WHY)}, {@code attack NAME: ESCAPED (WHAT IT GOT)}, {@code attack NAME: error (DETAIL)}
 * or, for an attempt that only shows what every process may see, {@code attack NAME: visible (WHY IT IS NO SECRET)}.
 * A detail never holds a secret value: it says how much was read, from where, never what. Immutable.
 */
record Outcome(Kind kind, String detail) {
    /** Longer details are cut: a line per attempt, read by tests and operators. */
    static final int MAX_DETAIL = 300;
    /** Cause chains are followed this far only. */
    private static final int MAX_DEPTH = 16;

    enum Kind {
        /** A wall stopped it: permission denied, a path hidden from it, a login refused. */
        BLOCKED("blocked"),
        /** It got through. */
        ESCAPED("ESCAPED"),
        /** It failed for a reason that is no denial: the drill could not tell whether a wall holds. */
        ERROR("error"),
        /** Informational: it saw something every process may see; neither blocked nor escaped. */
        VISIBLE("visible");

        final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    Outcome {
        detail = oneLine(detail);
    }

    static Outcome blocked(String why) {
        return new Outcome(Kind.BLOCKED, why);
    }

    static Outcome escaped(String what) {
        return new Outcome(Kind.ESCAPED, what);
    }

    static Outcome error(String detail) {
        return new Outcome(Kind.ERROR, detail);
    }

    static Outcome visible(String why) {
        return new Outcome(Kind.VISIBLE, why);
    }

    /** A failed attempt: blocked when the failure is a denial ({@link #isDenial}), else an error. */
    static Outcome failed(Throwable t) {
        return isDenial(t) ? blocked(describe(t)) : error(describe(t));
    }

    /** {@code attack NAME: blocked (WHY)}. */
    String line(String name) {
        return "attack " + name + ": " + kind.word + " (" + detail + ")";
    }

    /**
     * A denial anywhere in the cause chain: the file system refused (EACCES, EPERM) or hid the path (ENOENT: it is
     * absent or out of this bot's sight, which to the attacker is the same), the database refused the login (SQLSTATE
     * class 28) or the privilege (42501), Chronicle refused to append to a queue it could only read.
     */
    static boolean isDenial(Throwable t) {
        Throwable c = t;
        for (int i = 0; c != null && i < MAX_DEPTH; i++, c = c.getCause()) {
            if (c instanceof AccessDeniedException || c instanceof NoSuchFileException) {
                return true;
            }
            if (c instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("28") || s.getSQLState().equals("42501"))) {
                return true;
            }
            String m = c.getMessage();
            if (m != null && (m.contains("Permission denied") || m.contains("Operation not permitted")
                    || m.contains("No such file or directory") || m.contains("read-only chronicle"))) {
                return true;
            }
        }
        return false;
    }

    /** {@code Type: message} of the throwable, and of its root cause when that says more. */
    static String describe(Throwable t) {
        Throwable root = t;
        for (int i = 0; i < MAX_DEPTH && root.getCause() != null && root.getCause() != root; i++) {
            root = root.getCause();
        }
        String top = t.getClass().getSimpleName() + ": " + t.getMessage();
        return root == t ? top : top + "; caused by " + root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static String oneLine(String s) {
        String line = String.valueOf(s).replaceAll("\\s+", " ").strip();
        return line.length() <= MAX_DETAIL ? line : line.substring(0, MAX_DETAIL - 1) + "…";
    }
}

package io.botvisor.supervisor.isolation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this process may do to run bots as other users: its effective capabilities, from /proc. Stateless. */
final class Capabilities {
    /** Bit numbers of linux/capability.h. */
    static final int CHOWN = 0;
    static final int DAC_OVERRIDE = 1;
    static final int FOWNER = 3;
    static final int KILL = 5;
    static final int SETGID = 6;
    static final int SETUID = 7;

    private Capabilities() {
    }

    /** Null when this process holds every capability bot users need, else what is missing (one line). */
    static String missingForUsers() {
        long eff;
        try {
            eff = effective(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException | RuntimeException e) {
            return "cannot read this process's capabilities from /proc/self/status (" + e + ")";
        }
        return missing(eff);
    }

    static String missing(long eff) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_FOWNER", "CAP_DAC_OVERRIDE", "CAP_KILL"};
        int[] bits = {SETUID, SETGID, CHOWN, FOWNER, DAC_OVERRIDE, KILL};
        for (int i = 0; i < bits.length; i++) {
            if ((eff & (1L << bits[i])) == 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(names[i]);
            }
        }
        return sb.length() == 0 ? null : "the supervisor lacks " + sb;
    }

    /** The CapEff mask of a /proc/PID/status text. */
    static long effective(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
            }
        }
        throw new IllegalArgumentException("no CapEff line");
    }
}

package io.botvisor.supervisor.logs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Merges streams of lines by time. Stateless. */
public final class Interleave {
    private Interleave() {
    }

    /**
     * One list, earliest first: at each step the head with the earliest time (a line without one counts as the
     * earliest), the first list winning a tie. Each list's own order is kept whatever its times say (a clock set back
     * does not reorder a file).
     */
    public static List<LogStream.Line> byTime(List<List<LogStream.Line>> streams) {
        int[] next = new int[streams.size()];
        List<LogStream.Line> out = new ArrayList<>();
        while (true) {
            int best = -1;
            for (int i = 0; i < streams.size(); i++) {
                if (next[i] < streams.get(i).size()
                        && (best < 0 || earlier(streams.get(i).get(next[i]), streams.get(best).get(next[best])))) {
                    best = i;
                }
            }
            if (best < 0) {
                return out;
            }
            out.add(streams.get(best).get(next[best]++));
        }
    }

    private static boolean earlier(LogStream.Line a, LogStream.Line b) {
        Instant ta = a.time() == null ? Instant.MIN : a.time();
        Instant tb = b.time() == null ? Instant.MIN : b.time();
        return ta.isBefore(tb);
    }
}

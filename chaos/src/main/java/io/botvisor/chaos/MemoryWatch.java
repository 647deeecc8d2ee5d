package io.botvisor.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The leak check: samples the supervisor's resident memory and the bots' mean proportional set size (PSS, shared pages
 * counted once) through the run, and judges whether either grew: the median of the last third of the samples against
 * the median of the middle third (the first third is the warm-up: heaps and caches fill). A restart of the supervisor
 * or of a bot starts its figure over, which can only lower the last third. A run too short to tell is not judged.
 */
final class MemoryWatch {
    /** Runs shorter than this, or with fewer samples, are not judged: the JVMs are still filling their heaps. */
    static final Duration SHORTEST_JUDGED = Duration.ofMinutes(3);
    static final int FEWEST_SAMPLES = 12;
    /** Growth allowed: a factor and an absolute slack, each way of noise (a GC that has not run yet). */
    static final double FACTOR = 1.10;
    static final long SUPERVISOR_SLACK = 16L << 20;
    static final long BOT_SLACK = 8L << 20;

    record Sample(long atMillis, long supervisorRss, long botPssMean) {
    }

    /** The outcome: {@code judged} false when the run was too short; {@code detail} says what was compared. */
    record Judgement(boolean judged, boolean passed, String detail) {
    }

    private final List<Sample> samples = new ArrayList<>();

    synchronized void sample(long supervisorPid, Collection<Long> botPids, long atMillis) {
        long rss = kb(Path.of("/proc", Long.toString(supervisorPid), "status"), "VmRSS:") * 1024;
        long sum = 0;
        int n = 0;
        for (long pid : botPids) {
            long pss = kb(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
            if (pss > 0) {
                sum += pss * 1024;
                n++;
            }
        }
        if (rss > 0 && n > 0) {
            samples.add(new Sample(atMillis, rss, sum / n));
        }
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    synchronized Judgement judge(Duration run) {
        return judge(samples, run);
    }

    static Judgement judge(List<Sample> samples, Duration run) {
        if (run.compareTo(SHORTEST_JUDGED) < 0 || samples.size() < FEWEST_SAMPLES) {
            return new Judgement(false, true, "not judged: " + samples.size() + " samples over " + run.toSeconds()
                    + " s (a run of " + SHORTEST_JUDGED.toMinutes() + " min and " + FEWEST_SAMPLES
                    + " samples at least)");
        }
        int third = samples.size() / 3;
        List<Sample> middle = samples.subList(third, 2 * third);
        List<Sample> last = samples.subList(samples.size() - third, samples.size());
        long supMid = median(middle.stream().mapToLong(Sample::supervisorRss).toArray());
        long supLast = median(last.stream().mapToLong(Sample::supervisorRss).toArray());
        long botMid = median(middle.stream().mapToLong(Sample::botPssMean).toArray());
        long botLast = median(last.stream().mapToLong(Sample::botPssMean).toArray());
        boolean supOk = supLast <= supMid * FACTOR + SUPERVISOR_SLACK;
        boolean botOk = botLast <= botMid * FACTOR + BOT_SLACK;
        String detail = "supervisor RSS " + mb(supMid) + " → " + mb(supLast) + " MB" + (supOk ? "" : " (grew)")
                + "; bot PSS (mean) " + mb(botMid) + " → " + mb(botLast) + " MB" + (botOk ? "" : " (grew)")
                + " (medians, middle third → last third of " + samples.size() + " samples)";
        return new Judgement(true, supOk && botOk, detail);
    }

    private static long median(long[] values) {
        long[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length == 0 ? 0 : v[v.length / 2];
    }

    private static String mb(long bytes) {
        return Long.toString(bytes >> 20);
    }

    /** A "Name:   1234 kB" line of a /proc file, in kB; 0 when the process or the line is gone. */
    private static long kb(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).strip().split("\\s+");
                    return Long.parseLong(parts[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended meanwhile
        }
        return 0;
    }
}

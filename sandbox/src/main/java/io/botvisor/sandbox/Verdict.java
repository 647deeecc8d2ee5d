package io.botvisor.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The chaos suite's checks as the sandbox sees them from the outside, over every user message and call since the
 * server started (or since {@link SandboxServer#resetVerdict()}), kept incrementally so that they hold for a run of
 * any length in bounded memory (docs/sandbox.md, "The verdict"). Each check has its figures and the first few
 * offending items. {@code answered} fails while anything is pending: the caller decides when the run's end is (it
 * waits for {@code pending} to reach 0, or gives up). Immutable.
 *
 * @param sinceMillis when the counts started (the server's start or the last reset), on the sandbox's clock
 * @param atMillis when this verdict was taken
 * @param passed every check passed
 * @param answered every user message (text or command) answered: count = pending; figures said, answered, pending,
 *     oldestPendingMillis (how long the longest-waiting one has waited); first = the longest-waiting chats' oldest
 * @param duplicates no more duplicates (a second reply to a user message, or a bot message answering nothing) per
 *     bot than the bot had uncertain sends (sendMessage calls applied whose answer never reached it: dropped after
 *     applying by a fault, or its client gone), each of which it may rightly send again: count = the duplicates
 *     beyond those; figures duplicates, uncertainSends, unexplained
 * @param order per chat, answers in the order of the messages they answer: count = answers after a later message's
 * @param pollers no two processes polling one token at once: count = overlaps; figures maxConcurrentPolls (open polls
 *     whose client was there), abandonedPolls (open polls whose client had gone when the next poll came: a killed
 *     process's), selfOverlaps (two polls of one process, e.g. an interrupted poll still open)
 * @param retryAfter no call of a bot inside the window of a 429 it was given: count = violations; figure
 *     tooManyRequests
 * @param conflicts no 409 ending the poll of another process that was there: count = those 409s; figures all409,
 *     toGoneClients (polls abandoned by a dead process) and toSameProcess (a poll its own process polled past)
 * @param latency update → reply latency of the answered messages: figures answered, p50Millis, p99Millis, maxMillis
 *     (from a histogram: within 1.6 %); always passes
 * @param faults injected faults given, by label ({@code 429}, {@code 500}, {@code drop-after}, ...)
 * @param bots per bot: the figures behind the checks
 */
public record Verdict(long sinceMillis, long atMillis, boolean passed, Check answered, Check duplicates, Check order,
                      Check pollers, Check retryAfter, Check conflicts, Check latency, Map<String, Long> faults,
                      List<BotFigures> bots) {

    /** One check: whether it passed, its main count, its figures and its first offending items. */
    public record Check(boolean passed, long count, Map<String, Long> figures, List<Offence> first) {
    }

    /** One bot's figures. */
    public record BotFigures(long botId, long said, long answered, long pending, long duplicates, long outOfOrder,
                             long uncertainSends, long calls, long maxConcurrentPolls, long overlaps,
                             long abandonedPolls, long retryAfterViolations, long conflicts) {
    }

    static Verdict of(long now, AnswerLedger.Snapshot a, CallChecks.Snapshot c) {
        long said = 0;
        long answeredCount = 0;
        long pending = 0;
        long dups = 0;
        long outOfOrder = 0;
        for (AnswerLedger.Tally t : a.perBot().values()) {
            said += t.said;
            answeredCount += t.answered;
            pending += t.pending;
            dups += t.duplicates;
            outOfOrder += t.outOfOrder;
        }
        long uncertain = 0;
        long unexplained = 0;
        long maxPolls = 0;
        long overlaps = 0;
        long abandoned = 0;
        long self = 0;
        long retry = 0;
        long all409 = 0;
        long gone409 = 0;
        long same409 = 0;
        for (Map.Entry<Long, AnswerLedger.Tally> b : a.perBot().entrySet()) {
            CallChecks.Tally calls = c.perBot().get(b.getKey());
            unexplained += Math.max(0, b.getValue().duplicates - (calls == null ? 0 : calls.uncertainSends));
        }
        for (CallChecks.Tally t : c.perBot().values()) {
            uncertain += t.uncertainSends;
            maxPolls = Math.max(maxPolls, t.maxConcurrentPolls);
            overlaps += t.overlaps;
            abandoned += t.abandonedPolls;
            self += t.selfOverlaps;
            retry += t.retryAfterViolations;
            all409 += t.conflicts;
            gone409 += t.conflictsToGoneClients;
            same409 += t.conflictsToSameProcess;
        }
        long oldest = a.pending().isEmpty() ? 0 : now - a.pending().get(0).atMillis();
        Check answered = new Check(pending == 0, pending, figures("said", said, "answered", answeredCount,
                "pending", pending, "oldestPendingMillis", oldest), a.pending());
        Check duplicates = new Check(unexplained == 0, unexplained, figures("duplicates", dups, "uncertainSends",
                uncertain, "unexplained", unexplained), a.duplicates());
        Check order = new Check(outOfOrder == 0, outOfOrder, figures("outOfOrder", outOfOrder), a.outOfOrder());
        Check pollers = new Check(overlaps == 0, overlaps, figures("overlaps", overlaps, "maxConcurrentPolls", maxPolls,
                "abandonedPolls", abandoned, "selfOverlaps", self), c.overlaps());
        Check retryAfter = new Check(retry == 0, retry, figures("violations", retry, "tooManyRequests",
                c.faults().getOrDefault("429", 0L)), c.retryAfter());
        long there409 = all409 - gone409 - same409;
        Check conflicts = new Check(there409 == 0, there409, figures("toOtherPollers", there409, "all409", all409,
                "toGoneClients", gone409, "toSameProcess", same409), c.conflicts());
        Check latency = new Check(true, a.latencyCount(), figures("answered", a.latencyCount(), "p50Millis",
                a.p50Millis(), "p99Millis", a.p99Millis(), "maxMillis", a.maxMillis()), List.of());
        boolean passed = answered.passed() && duplicates.passed() && order.passed() && pollers.passed()
                && retryAfter.passed() && conflicts.passed();
        return new Verdict(a.sinceMillis(), now, passed, answered, duplicates, order, pollers, retryAfter, conflicts,
                latency, c.faults(), bots(a, c));
    }

    private static List<BotFigures> bots(AnswerLedger.Snapshot a, CallChecks.Snapshot c) {
        TreeSet<Long> ids = new TreeSet<>(a.perBot().keySet());
        ids.addAll(c.perBot().keySet());
        ids.remove(0L); // calls with a malformed token
        List<BotFigures> out = new ArrayList<>();
        for (long id : ids) {
            AnswerLedger.Tally m = a.perBot().getOrDefault(id, new AnswerLedger.Tally());
            CallChecks.Tally k = c.perBot().getOrDefault(id, new CallChecks.Tally());
            out.add(new BotFigures(id, m.said, m.answered, m.pending, m.duplicates, m.outOfOrder, k.uncertainSends,
                    k.calls, k.maxConcurrentPolls, k.overlaps, k.abandonedPolls, k.retryAfterViolations,
                    k.conflicts - k.conflictsToGoneClients - k.conflictsToSameProcess));
        }
        return out;
    }

    private static Map<String, Long> figures(Object... nameValue) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            out.put((String) nameValue[i], (Long) nameValue[i + 1]);
        }
        return out;
    }
}

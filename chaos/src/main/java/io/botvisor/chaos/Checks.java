package io.botvisor.chaos;

import io.botvisor.sandbox.Offence;
import io.botvisor.sandbox.Verdict;
import io.botvisor.storage.DbEndpoint;
import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The verdict of a chaos run, from the outside: the sandbox's (every message answered, duplicates only as many as
 * the uncertain sends, order per chat, no two pollers, no 429 window violated, no 409 between live pollers), the
 * database's (every update recorded once and handled, every reply recorded sent), every bot RUNNING, memory not
 * growing. Each check is one line with its figures; a failed one names its first offending items.
 */
final class Checks {

    /** One check of the verdict. */
    record Check(String name, boolean passed, String figures, List<String> first) {
    }

    /** The checks and whether all passed. */
    record Outcome(boolean passed, List<Check> checks) {
        static Outcome failedToStart(Collection<Operator.BotView> bots) {
            return new Outcome(false, List.of(new Check("start", false, "the fleet did not start: " + bots.stream()
                    .map(b -> b.id() + " " + b.state()).collect(Collectors.joining(", ")), List.of())));
        }

        void print(PrintStream out, ChaosRun.Settings s) {
            out.printf("chaos verdict: %s (seed %d, %d bots, %s, state dir %s)%n", passed ? "PASSED" : "FAILED",
                    s.seed(), s.bots(), s.duration(), s.stateDir());
            for (Check c : checks) {
                out.printf("  %s %-13s %s%n", c.passed() ? "ok  " : "FAIL", c.name(), c.figures());
                for (String f : c.passed() ? List.<String>of() : c.first()) {
                    out.printf("         %s%n", f);
                }
            }
            out.flush();
        }
    }

    /**
     * What the database holds at the end. {@code notSent}: replies queued, sending or failed; {@code uncertain}: in
     * doubt, their last attempt's answer lost, and not sent again by the policy (the sandbox tells whether they
     * arrived: the answered check). {@code inDoubt}: the user messages whose reply is uncertain, as
     * {@link #messageKey}s. {@code error}: it could not be read (then the check fails).
     */
    record Database(long updates, long distinctUpdates, long handled, long replies, long notSent, long uncertain,
                    long resent, Map<String, Long> resentByBot, java.util.Set<String> inDoubt, String error) {
    }

    /** A user message: the bot's name, the chat, the message's id in it. */
    static String messageKey(String bot, long chat, long messageId) {
        return bot + "/" + chat + "/" + messageId;
    }

    private Checks() {
    }

    static Database database(Path stateDir) {
        Optional<DbEndpoint> db = EmbeddedDatabase.running(DbFiles.under(stateDir));
        if (db.isEmpty()) {
            return new Database(0, 0, 0, 0, 0, 0, 0, Map.of(), java.util.Set.of(),
                    "the embedded PostgreSQL is not running");
        }
        try (Connection c = db.get().connect(); Statement st = c.createStatement()) {
            long[] u = row(st, "SELECT count(*), count(DISTINCT (bot_id, update_id)), count(handled_at) "
                    + "FROM botvisor.updates");
            long[] o = row(st, "SELECT count(*), count(*) FILTER (WHERE state NOT IN ('sent', 'uncertain')), "
                    + "count(*) FILTER (WHERE state = 'uncertain'), count(*) FILTER (WHERE attempts > 1) "
                    + "FROM botvisor.outbox");
            Map<String, Long> resent = new java.util.HashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT b.name, count(*) FILTER (WHERE o.attempts > 1) "
                    + "FROM botvisor.outbox o JOIN botvisor.bots b USING (bot_id) GROUP BY b.name")) {
                while (rs.next()) {
                    resent.put(rs.getString(1), rs.getLong(2));
                }
            }
            java.util.Set<String> inDoubt = new java.util.HashSet<>();
            try (ResultSet rs = st.executeQuery("SELECT b.name, u.chat_id, (u.payload->'message'->>'message_id')::bigint "
                    + "FROM botvisor.outbox o JOIN botvisor.bots b USING (bot_id) JOIN botvisor.updates u "
                    + "ON u.bot_id = o.bot_id AND u.update_id = o.update_id "
                    + "WHERE o.state = 'uncertain' AND u.chat_id IS NOT NULL "
                    + "AND u.payload->'message'->>'message_id' IS NOT NULL")) {
                while (rs.next()) {
                    inDoubt.add(messageKey(rs.getString(1), rs.getLong(2), rs.getLong(3)));
                }
            }
            return new Database(u[0], u[1], u[2], o[0], o[1], o[2], o[3], resent, inDoubt, null);
        } catch (SQLException e) {
            return new Database(0, 0, 0, 0, 0, 0, 0, Map.of(), java.util.Set.of(), e.getMessage());
        }
    }

    private static long[] row(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            long[] out = new long[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = rs.getLong(i + 1);
            }
            return out;
        }
    }

    static Outcome judge(Verdict v, boolean allRunning, Collection<Operator.BotView> bots, Database db,
                         MemoryWatch.Judgement memory, List<String> actionFailures, Map<Long, String> botNames) {
        List<Check> checks = new ArrayList<>();
        checks.add(answered(v, db, botNames));
        long said = v.answered().figures().getOrDefault("said", 0L);
        if (db.error() != null) {
            checks.add(new Check("handled once", false, "the database could not be read: " + db.error(), List.of()));
        } else {
            boolean once = db.updates() == said && db.distinctUpdates() == db.updates() && db.handled() == db.updates();
            checks.add(new Check("handled once", once, "%d updates in the database for %d messages said, %d distinct, "
                    .formatted(db.updates(), said, db.distinctUpdates()) + db.handled() + " handled", List.of()));
            checks.add(new Check("replies kept", db.notSent() == 0, "%d replies recorded, %d not sent at the end, "
                    .formatted(db.replies(), db.notSent()) + db.uncertain() + " in doubt (uncertain, not sent again), "
                    + db.resent() + " took more than one attempt", List.of()));
        }
        checks.add(duplicates(v, db, botNames));
        checks.add(of("order", v.order(), "%d answers out of their chat's order".formatted(v.order().count())));
        Map<String, Long> p = v.pollers().figures();
        checks.add(of("one poller", v.pollers(), ("%d overlaps of live pollers (max open polls %d; %d abandoned by "
                + "gone processes)").formatted(v.pollers().count(), p.get("maxConcurrentPolls"),
                p.get("abandonedPolls"))));
        checks.add(of("conflicts", v.conflicts(), "%d 409s to a live poller of another process (%d 409s in all)"
                .formatted(v.conflicts().count(), v.conflicts().figures().get("all409"))));
        checks.add(of("retry_after", v.retryAfter(), "%d calls inside a 429 window (%d 429s given)"
                .formatted(v.retryAfter().count(), v.retryAfter().figures().get("tooManyRequests"))));
        List<String> notRunning = bots.stream().filter(b -> !b.state().equals("RUNNING") || b.handingOver())
                .map(b -> b.id() + " " + b.state() + (b.handingOver() ? " (handing over)" : "")).toList();
        checks.add(new Check("all running", allRunning && actionFailures.isEmpty(), allRunning
                ? bots.size() + " bots RUNNING" : "not RUNNING: " + String.join(", ", notRunning), actionFailures));
        checks.add(new Check("memory", memory.passed(), memory.detail(), List.of()));
        Map<String, Long> l = v.latency().figures();
        checks.add(new Check("latency", true, "p50 %d ms, p99 %d ms, max %d ms (reported, not judged)".formatted(
                l.get("p50Millis"), l.get("p99Millis"), l.get("maxMillis")), List.of()));
        checks.add(new Check("faults", true, v.faults().toString(), List.of()));
        return new Outcome(checks.stream().allMatch(Check::passed), checks);
    }

    /**
     * Every user message answered — but for one whose reply is in doubt: uncertain in the outbox, every attempt the
     * policy allows (uncertainSends) having lost its answer. The bot cannot know whether it arrived, and sending it
     * again would be the duplicate the policy rules out; a fault that dropped each attempt before the server (the
     * sandbox's drop-before) leaves such a reply missing. Only when the sandbox listed every pending message (it lists
     * its first few) can each be checked; any other pending message fails.
     */
    static Check answered(Verdict v, Database db, Map<Long, String> botNames) {
        Map<String, Long> a = v.answered().figures();
        long pending = v.answered().count();
        List<io.botvisor.sandbox.Offence> first = v.answered().first();
        List<io.botvisor.sandbox.Offence> unexplained = first.stream().filter(o -> !db.inDoubt().contains(
                messageKey(botNames.getOrDefault(o.botId(), "?"), o.chatId(), o.messageId()))).toList();
        long inDoubt = first.size() - unexplained.size();
        boolean passed = pending == 0 || (first.size() == pending && unexplained.isEmpty());
        String figures = "%d said, %d answered, %d pending".formatted(a.get("said"), a.get("answered"), pending)
                + (inDoubt > 0 ? " (" + inDoubt + " whose reply is in doubt: uncertain after every attempt the policy "
                        + "allows)" : "");
        return new Check("answered", passed, figures, (unexplained.isEmpty() ? first : unexplained).stream().limit(5)
                .map(Checks::describe).toList());
    }

    /**
     * A reply sent twice must come from a send in doubt: one the sandbox saw lose its answer (its uncertain sends),
     * or one the bot had to send again (an outbox row with more than one attempt: a process killed between the call
     * and its record, or a response lost on the way, which only the bot sees). Per bot: duplicates no more than both.
     * A handler that ran twice would queue two rows of one attempt each, and fail this.
     */
    static Check duplicates(Verdict v, Database db, Map<Long, String> botNames) {
        long duplicates = 0;
        long unexplained = 0;
        long uncertain = 0;
        long resent = 0;
        List<String> first = new ArrayList<>();
        for (Verdict.BotFigures b : v.bots()) {
            long again = db.resentByBot().getOrDefault(botNames.getOrDefault(b.botId(), "?"), 0L);
            duplicates += b.duplicates();
            uncertain += b.uncertainSends();
            resent += again;
            long beyond = b.duplicates() - b.uncertainSends() - again;
            if (beyond > 0) {
                unexplained += beyond;
                first.add("bot " + b.botId() + " (" + botNames.get(b.botId()) + "): " + b.duplicates()
                        + " duplicates, " + b.uncertainSends() + " uncertain sends, " + again + " replies sent again");
            }
        }
        first.addAll(v.duplicates().first().stream().limit(5).map(Checks::describe).toList());
        return new Check("duplicates", unexplained == 0 && db.error() == null, ("%d duplicate replies, %d uncertain "
                + "sends seen by the sandbox, %d replies the bots sent again, %d unexplained").formatted(duplicates,
                uncertain, resent, unexplained), first);
    }

    private static Check of(String name, Verdict.Check c, String figures) {
        return new Check(name, c.passed(), figures, c.first().stream().limit(5).map(Checks::describe).toList());
    }

    private static String describe(Offence o) {
        return "bot " + o.botId() + (o.chatId() != 0 ? " chat " + o.chatId() : "")
                + (o.messageId() != 0 ? " message " + o.messageId() : "") + (o.seq() != 0 ? " call " + o.seq() : "")
                + ": " + o.what();
    }
}

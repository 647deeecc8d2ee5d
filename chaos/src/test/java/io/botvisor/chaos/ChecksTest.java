package io.botvisor.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.sandbox.Offence;
import io.botvisor.sandbox.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chaos verdict's rules: the sandbox's uncertain sends and the bots' resent rows explain duplicates; a reply in
 * doubt explains a message not answered.
 */
class ChecksTest {
    private static final Verdict.Check OK = new Verdict.Check(true, 0, Map.of(), List.of());

    private static Verdict verdict(long duplicates, long uncertain) {
        Verdict.BotFigures b = new Verdict.BotFigures(7, 10, 10, 0, duplicates, 0, uncertain, 30, 1, 0, 0, 0, 0);
        return new Verdict(0, 1, true, OK, OK, OK, OK, OK, OK, OK, Map.of(), List.of(b));
    }

    private static Checks.Database resent(long rows) {
        return new Checks.Database(10, 10, 10, 10, 0, 0, rows, Map.of("echo-1", rows), java.util.Set.of(), null);
    }

    @Test
    void aDuplicateOfAReplyTheBotSentAgainIsExplained() {
        assertThat(Checks.duplicates(verdict(1, 0), resent(1), Map.of(7L, "echo-1")).passed()).isTrue();
    }

    @Test
    void aDuplicateOfASendWhoseAnswerTheSandboxLostIsExplained() {
        assertThat(Checks.duplicates(verdict(1, 1), resent(0), Map.of(7L, "echo-1")).passed()).isTrue();
    }

    @Test
    void aDuplicateNeitherSideCanExplainFailsNamingTheBot() {
        Checks.Check c = Checks.duplicates(verdict(2, 0), resent(1), Map.of(7L, "echo-1"));
        assertThat(c.passed()).isFalse();
        assertThat(c.figures()).endsWith("1 unexplained");
        assertThat(c.first()).first().asString().startsWith("bot 7 (echo-1): 2 duplicates");
    }

    private static Checks.Check repliesKept(Checks.Database db) {
        Checks.Outcome o = Checks.judge(verdict(0, 0), true, List.of(), db, new MemoryWatch.Judgement(true, true, ""),
                List.of(), Map.of(7L, "echo-1"));
        return o.checks().stream().filter(c -> c.name().equals("replies kept")).findFirst().orElseThrow();
    }

    private static Verdict pending(long count, Offence... listed) {
        Verdict.Check answered = new Verdict.Check(count == 0, count, Map.of("said", 10L, "answered", 10 - count,
                "pending", count), List.of(listed));
        return new Verdict(0, 1, false, answered, OK, OK, OK, OK, OK, OK, Map.of(), List.of());
    }

    private static Checks.Database inDoubt(String... keys) {
        return new Checks.Database(10, 10, 10, 10, 0, keys.length, 0, Map.of(), java.util.Set.of(keys), null);
    }

    private static final Offence M3 = new Offence(7, 42, 3, 0, 0, "not answered after 1000 ms: \"m3\"");
    private static final Offence M5 = new Offence(7, 42, 5, 0, 0, "not answered after 900 ms: \"m5\"");

    @Test
    void aMessageWhoseReplyIsInDoubtAfterEveryAttemptIsNotAFailureOfTheAnsweredCheck() {
        Checks.Check c = Checks.answered(pending(1, M3), inDoubt(Checks.messageKey("echo-1", 42, 3)),
                Map.of(7L, "echo-1"));
        assertThat(c.passed()).isTrue();
        assertThat(c.figures()).isEqualTo("10 said, 9 answered, 1 pending (1 whose reply is in doubt: uncertain after "
                + "every attempt the policy allows)");
    }

    @Test
    void aMessageNotAnsweredWithoutAReplyInDoubtFailsTheAnsweredCheckNamingIt() {
        Checks.Check c = Checks.answered(pending(2, M3, M5), inDoubt(Checks.messageKey("echo-1", 42, 3)),
                Map.of(7L, "echo-1"));
        assertThat(c.passed()).isFalse();
        assertThat(c.first()).containsExactly("bot 7 chat 42 message 5: not answered after 900 ms: \"m5\"");
    }

    @Test
    void pendingMessagesTheSandboxDidNotListFailTheAnsweredCheck() {
        assertThat(Checks.answered(pending(3, M3), inDoubt(Checks.messageKey("echo-1", 42, 3)), Map.of(7L, "echo-1"))
                .passed()).as("two pending messages nobody could check").isFalse();
    }

    @Test
    void aReplyInDoubtThePolicyDidNotSendAgainIsKeptButAQueuedOneIsNot() {
        Checks.Check inDoubt = repliesKept(new Checks.Database(10, 10, 10, 10, 0, 2, 0, Map.of(), java.util.Set.of(), null));
        assertThat(inDoubt.passed()).isTrue();
        assertThat(inDoubt.figures()).contains("0 not sent at the end, 2 in doubt");
        assertThat(repliesKept(new Checks.Database(10, 10, 10, 10, 1, 0, 0, Map.of(), java.util.Set.of(), null)).passed()).isFalse();
    }
}

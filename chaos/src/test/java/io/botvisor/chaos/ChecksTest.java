package io.botvisor.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.sandbox.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The duplicates rule of the chaos verdict: the sandbox's uncertain sends and the bots' resent rows explain them. */
class ChecksTest {
    private static final Verdict.Check OK = new Verdict.Check(true, 0, Map.of(), List.of());

    private static Verdict verdict(long duplicates, long uncertain) {
        Verdict.BotFigures b = new Verdict.BotFigures(7, 10, 10, 0, duplicates, 0, uncertain, 30, 1, 0, 0, 0, 0);
        return new Verdict(0, 1, true, OK, OK, OK, OK, OK, OK, OK, Map.of(), List.of(b));
    }

    private static Checks.Database resent(long rows) {
        return new Checks.Database(10, 10, 10, 10, 0, 0, rows, Map.of("echo-1", rows), null);
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

    @Test
    void aReplyInDoubtThePolicyDidNotSendAgainIsKeptButAQueuedOneIsNot() {
        Checks.Check inDoubt = repliesKept(new Checks.Database(10, 10, 10, 10, 0, 2, 0, Map.of(), null));
        assertThat(inDoubt.passed()).isTrue();
        assertThat(inDoubt.figures()).contains("0 not sent at the end, 2 in doubt");
        assertThat(repliesKept(new Checks.Database(10, 10, 10, 10, 1, 0, 0, Map.of(), null)).passed()).isFalse();
    }
}

package io.botvisor.runner.telegram.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PatienceTest {
    private static long ms(long n) {
        return Duration.ofMillis(n).toNanos();
    }

    @Test
    void beforeTheDatabaseHasAnsweredOnceTheWaitIsTheLongest() {
        assertThat(new Patience().deadline()).isEqualTo(Patience.MAX);
    }

    @Test
    void aDatabaseThatAnswersInTensOfMillisecondsIsGivenTheShortestWait() {
        Patience p = new Patience();
        for (int i = 0; i < 50; i++) {
            p.answered(ms(20 + i % 3 * 10));
        }
        assertThat(p.deadline()).isEqualTo(Patience.MIN);
    }

    @Test
    void aDatabaseWhoseAnswersVaryByHundredsOfMillisecondsIsGivenMoreThanTheShortestWait() {
        Patience p = new Patience();
        for (int i = 0; i < 50; i++) {
            p.answered(ms(i % 2 == 0 ? 50 : 650));
        }
        // smoothed ~350 ms, mean deviation ~300 ms: 350 + 4 * 300 = ~1.5 s
        assertThat(p.deadline()).isGreaterThan(Duration.ofMillis(1300)).isLessThan(Duration.ofMillis(1800));
    }

    @Test
    void slowAnswersAfterFastOnesLengthenTheWaitAtOnce() {
        Patience p = new Patience();
        for (int i = 0; i < 50; i++) {
            p.answered(ms(20));
        }
        p.answered(ms(900));
        // deviation jumps by a quarter of the miss (~220 ms): four of them are added to the smoothed time
        assertThat(p.deadline()).isGreaterThan(Duration.ofMillis(1000));
    }

    @Test
    void aCallGivenUpOnDoublesTheWaitUntilTheNextAnswer() {
        Patience p = new Patience();
        for (int i = 0; i < 50; i++) {
            p.answered(ms(20));
        }
        p.unanswered();
        assertThat(p.deadline()).isEqualTo(Duration.ofSeconds(2));
        p.unanswered();
        assertThat(p.deadline()).isEqualTo(Duration.ofSeconds(4));
        p.unanswered();
        assertThat(p.deadline()).isEqualTo(Patience.MAX);
        p.answered(ms(20));
        assertThat(p.deadline()).isEqualTo(Patience.MIN);
    }

    @Test
    void anAnswerAfterAMinuteCountsAsTheLongestWait() {
        Patience p = new Patience();
        for (int i = 0; i < 50; i++) {
            p.answered(ms(20));
        }
        p.answered(Duration.ofMinutes(1).toNanos());
        assertThat(p.deadline()).isEqualTo(Patience.MAX);
        for (int i = 0; i < 40; i++) {
            p.answered(ms(20));
        }
        assertThat(p.deadline()).as("forty fast answers later").isEqualTo(Patience.MIN);
    }

    @Test
    void theWaitNeverExceedsTheLongest() {
        Patience p = new Patience();
        for (int i = 0; i < 20; i++) {
            p.answered(ms(i % 2 == 0 ? 10 : 20_000));
        }
        assertThat(p.deadline()).isEqualTo(Patience.MAX);
    }
}

package io.botvisor.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.runner.BotConfigException;
import org.junit.jupiter.api.Test;

class OneLineTest {

    @Test
    void multiLineMessageBecomesOneBoundedLine() {
        String text = OneLine.of(new IllegalStateException("first\n  second\r\nthird" + "x".repeat(1000)));

        assertThat(text).startsWith("java.lang.IllegalStateException: first second third").doesNotContain("\n")
                .hasSize(OneLine.MAX_CHARS).endsWith("…");
    }

    @Test
    void configExceptionIsItsMessageAlone() {
        assertThat(OneLine.of(new BotConfigException("config.x \"y\" is not a duration", new RuntimeException("z"))))
                .isEqualTo("config.x \"y\" is not a duration");
    }
}

package io.botvisor.runner.testbots;

import io.botvisor.runner.Bot;
import io.botvisor.runner.BotContext;
import io.botvisor.runner.SelfCheck;
import java.time.Duration;

/**
 * A bot whose self-check throws an Error, as one that reaches a class missing from its classpath does. Public for the
 * loader.
 */
public final class SelfCheckThrowsBot implements Bot {
    public static final String MISSING = "com/example/HealthProbe";

    @Override
    public void start(BotContext ctx) {
    }

    @Override
    public void stop(Duration deadline) {
    }

    @Override
    public SelfCheck selfCheck() {
        throw new NoClassDefFoundError(MISSING);
    }
}

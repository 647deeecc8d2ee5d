package io.botvisor.runner.testbots;

import io.botvisor.runner.Bot;
import io.botvisor.runner.BotContext;
import java.time.Duration;

/** A bot class the loader cannot create: its only constructor takes an argument. */
public final class NoDefaultConstructorBot implements Bot {
    public NoDefaultConstructorBot(String name) {
    }

    @Override
    public void start(BotContext ctx) {
    }

    @Override
    public void stop(Duration deadline) {
    }
}

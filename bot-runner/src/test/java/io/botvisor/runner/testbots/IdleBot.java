package io.botvisor.runner.testbots;

import io.botvisor.runner.Bot;
import io.botvisor.runner.BotContext;
import java.time.Duration;

/** A bot that does nothing and keeps {@link Bot#reconfigure}'s default (false). Public for the loader. */
public final class IdleBot implements Bot {
    @Override
    public void start(BotContext ctx) {
    }

    @Override
    public void stop(Duration deadline) {
    }
}

package io.botvisor.runner.testbots;

import io.botvisor.runner.Bot;
import io.botvisor.runner.BotContext;
import java.net.ConnectException;
import java.time.Duration;

/** A bot whose start fails the way a dependency that is down makes it fail: retrying may help. Public for the loader. */
public final class StartThrowsBot implements Bot {
    public static final String MESSAGE = "payment service unreachable";

    @Override
    public void start(BotContext ctx) {
        throw new IllegalStateException(MESSAGE, new ConnectException("Connection refused"));
    }

    @Override
    public void stop(Duration deadline) {
    }
}

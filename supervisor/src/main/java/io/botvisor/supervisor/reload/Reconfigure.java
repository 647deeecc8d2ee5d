package io.botvisor.supervisor.reload;

import io.botvisor.supervisor.core.ChildCommands;
import io.botvisor.supervisor.core.Supervisor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.LoggerFactory;

/** Offers a bot-runner bot its new {@code config:}; completes with whether the bot applied it (any thread). */
public interface Reconfigure {
    CompletableFuture<Boolean> apply(String bot, Map<String, String> config);

    /** Every change of config restarts the bot (for tests and a fleet without bot-runner bots). */
    Reconfigure RESTART = (bot, config) -> CompletableFuture.completedFuture(false);

    /**
     * Offers the config to the running child over IPC ({@code RELOAD_CONFIG}; its {@code Bot.reconfigure}); true
     * only when the bot answered that it runs with it. Any other answer (not applied, failed, no answer within
     * {@link ChildCommands#DEFAULT_TIMEOUT}) is logged, and the bot is restarted.
     */
    static Reconfigure through(Supervisor supervisor) {
        return (bot, config) -> {
            CompletableFuture<Boolean> out = new CompletableFuture<>();
            supervisor.execute(() -> supervisor.childCommands().reconfigure(bot, config).thenAccept(a -> {
                if (a.outcome() != ChildCommands.Outcome.DONE) {
                    LoggerFactory.getLogger(Reconfigure.class).info("bot '{}' did not take its new config live "
                            + "({}{}); restarting it", bot, a.outcome(),
                            a.detail() == null || a.detail().isEmpty() ? "" : ": " + a.detail());
                }
                out.complete(a.outcome() == ChildCommands.Outcome.DONE);
            }));
            return out;
        };
    }
}

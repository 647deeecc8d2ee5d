package io.botvisor.runner.telegram;

import io.botvisor.runner.Bot;
import io.botvisor.runner.BotContext;
import io.botvisor.runner.HandsOver;
import io.botvisor.runner.SelfCheck;
import io.botvisor.runner.telegram.runtime.TelegramRuntime;
import java.time.Duration;

/**
 * A Telegram bot: register handlers, and the runtime does the rest — long polling with the Bot API's rules, every
 * update recorded in the bot's inbox before Telegram is told it arrived, each handled exactly once in a database
 * transaction (per chat in order, chats in parallel), every reply sent from the outbox within Telegram's limits. The
 * token comes from {@code TELEGRAM_BOT_TOKEN} (the bot's {@code secretsFile:}), the rest from its {@code telegram:}
 * section; the bot needs the fleet's database. The runtime calls {@link #handlers} once, before polling starts.
 *
 * <pre>{@code
 * public final class EchoBot extends TelegramBot {
 *     @Override
 *     protected void handlers(Handlers on) {
 *         on.text(turn -> turn.reply(turn.update().text().orElseThrow()));
 *     }
 * }
 * }</pre>
 *
 * A bot that needs more at start (a warm cache, a check of its own config) overrides {@link #prepare}; one with its
 * own health rule overrides {@link #selfCheck} and combines its verdict with {@code super.selfCheck()}.
 */
public abstract class TelegramBot implements Bot, HandsOver {
    private volatile TelegramRuntime runtime;

    /** Registers the bot's handlers. */
    protected abstract void handlers(Handlers on);

    /** Runs once at start, before the handlers are registered and polling starts. Throws as {@link Bot#start} may. */
    protected void prepare(BotContext ctx) throws Exception {
    }

    @Override
    public final void start(BotContext ctx) throws Exception {
        prepare(ctx);
        Handlers on = new Handlers();
        handlers(on);
        runtime = TelegramRuntime.start(ctx, on.freeze());
    }

    @Override
    public final void stop(Duration deadline) throws Exception {
        TelegramRuntime r = runtime;
        if (r != null) {
            r.stop(deadline);
        }
    }

    @Override
    public final long handOver(Duration deadline) throws Exception {
        TelegramRuntime r = runtime;
        return r == null ? 0 : r.handOver(deadline);
    }

    @Override
    public final void takeOver(long from, boolean serve) throws Exception {
        TelegramRuntime r = runtime;
        if (r != null) {
            r.takeOver(from, serve);
        }
    }

    /** Failing while the token's updates are taken by another process (409), or a handler is stuck. */
    @Override
    public SelfCheck selfCheck() {
        TelegramRuntime r = runtime;
        return r == null ? SelfCheck.passing() : r.selfCheck();
    }
}

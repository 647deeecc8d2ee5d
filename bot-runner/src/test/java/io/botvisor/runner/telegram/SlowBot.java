package io.botvisor.runner.telegram;

/**
 * A Telegram bot for the supervisor's tests, run by class name from bot-runner's test classes: {@code /sleep N}
 * handles its update for N seconds (its reply says so after), anything else is echoed.
 */
public final class SlowBot extends TelegramBot {
    @Override
    protected void handlers(Handlers on) {
        on.command("sleep", turn -> {
            long seconds = Long.parseLong(turn.update().commandArgs());
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
                java.util.concurrent.locks.LockSupport.parkNanos(left); // a handler busy for that long
            }
            turn.reply("slept " + seconds + " s");
        });
        on.text(turn -> turn.reply(turn.update().text().orElseThrow()));
    }
}

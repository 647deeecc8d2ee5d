package io.botvisor.runner.telegram;

/** The built-in {@code type: echo}: replies to every text message with its text. The whole bot. */
public final class EchoBot extends TelegramBot {
    @Override
    protected void handlers(Handlers on) {
        on.text(turn -> turn.reply(turn.update().text().orElseThrow()));
    }
}

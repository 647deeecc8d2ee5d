package io.botvisor.runner.telegram.transport;

/** Who the token belongs to, from getMe: the bot's Telegram user id and username. */
public record BotIdentity(long id, String username) {
}

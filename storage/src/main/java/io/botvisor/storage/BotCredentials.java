package io.botvisor.storage;

/** A bot's database identity: its numeric id (the partition key), login role and password. Immutable. */
public record BotCredentials(int botId, String botName, String role, String password) {
    @Override
    public String toString() {
        return "bot '" + botName + "' (id " + botId + ", role " + role + ")";
    }
}

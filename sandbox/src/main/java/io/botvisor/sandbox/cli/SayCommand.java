package io.botvisor.sandbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code botvisor sandbox say}: one user message to a bot, then the bot's replies as they come (up to --wait). Runs
 * on the caller's thread.
 */
@Command(name = "say",
        description = "Say TEXT to a bot as a user of a running sandbox and print the bot's replies.")
final class SayCommand implements Callable<Integer> {

    @Mixin
    ControlOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--bot", required = true, description = "the bot's id (the digits of its token)")
    long bot;

    @Option(names = "--chat", required = true, description = "chat id: a user's id (private) or negative (a group)")
    long chat;

    @Option(names = "--from", description = "the user who speaks in a group (default: the chat id)")
    Long from;

    @Option(names = "--wait", description = "seconds to wait for a reply; 0: do not wait (default: ${DEFAULT-VALUE})")
    int waitSeconds = 10;

    @Parameters(arity = "1", paramLabel = "TEXT")
    String text;

    @Override
    public Integer call() {
        ControlClient control = options.client();
        // The key makes the say safe to try again: a retry after a dropped connection is the same message.
        JsonNode said = control.postRepeatable("say", Map.of("bot", bot, "chat", chat, "from",
                from == null ? chat : from, "text", text, "key", UUID.randomUUID().toString()));
        if (waitSeconds == 0) {
            spec.commandLine().getOut().println("said: update " + said.get("updateId").asLong() + ", message "
                    + said.get("messageId").asLong() + " in chat " + chat);
            return 0;
        }
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        long after = said.get("messageId").asLong();
        while (System.nanoTime() < deadline) {
            long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            JsonNode replies = control.get("sent", Map.of("bot", bot, "chat", chat, "after", after,
                    "wait_ms", Math.min(leftMs, 25_000)));
            if (replies.size() > 0) {
                for (JsonNode reply : replies) {
                    spec.commandLine().getOut().println("bot: " + reply.get("text").asText());
                }
                return 0;
            }
        }
        spec.commandLine().getErr().println("sandbox: bot " + bot + " did not reply in chat " + chat + " within "
                + waitSeconds + " s (is the bot running against " + options.url + "?)");
        return 3;
    }
}

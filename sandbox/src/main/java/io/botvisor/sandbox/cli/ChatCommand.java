package io.botvisor.sandbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code botvisor sandbox chat}: an interactive console. Each line read is said as the user; a second (daemon) thread
 * long-polls the sandbox for the bot's messages and prints them as they arrive. Works in a terminal and with stdin
 * from a pipe: at the end of input it waits (up to --wait) for a reply to every line said. The counters are guarded
 * by this object's monitor.
 */
@Command(name = "chat",
        description = "Chat with a bot of a running sandbox: lines typed are said as a user, the bot's replies print.")
final class ChatCommand implements Callable<Integer> {

    @Mixin
    ControlOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--bot", required = true, description = "the bot's id (the digits of its token)")
    long bot;

    @Option(names = "--chat", description = "chat id, also the user's id (default: ${DEFAULT-VALUE})")
    long chat = 1001;

    @Option(names = "--wait", description = "seconds to wait for replies after the input ends (default: ${DEFAULT-VALUE})")
    int waitSeconds = 10;

    private final InputStream in;
    private int said;
    private int replies;
    private long lastSeen;
    private volatile boolean done;

    ChatCommand() {
        this(System.in);
    }

    ChatCommand(InputStream in) {
        this.in = in;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        ControlClient control = options.client();
        PrintWriter out = spec.commandLine().getOut();
        JsonNode before = control.get("sent", Map.of("bot", bot, "chat", chat));
        lastSeen = before.size() == 0 ? 0 : before.get(before.size() - 1).get("messageId").asLong();
        spec.commandLine().getErr().println("sandbox: chatting with bot " + bot + " in chat " + chat + " at "
                + options.url + "; type a line to say it, end with Ctrl-D");
        Thread printer = new Thread(() -> printReplies(control, out), "sandbox-chat-replies");
        printer.setDaemon(true);
        printer.start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.isBlank()) {
                continue;
            }
            control.postRepeatable("say", Map.of("bot", bot, "chat", chat, "from", chat, "text", line, "key",
                    UUID.randomUUID().toString()));
            synchronized (this) {
                said++;
            }
        }
        int missing = awaitReplies();
        done = true;
        printer.interrupt();
        if (missing > 0) {
            spec.commandLine().getErr().println("sandbox: " + missing + " line(s) got no reply from bot " + bot
                    + " within " + waitSeconds + " s");
            return 3;
        }
        return 0;
    }

    private synchronized int awaitReplies() throws InterruptedException {
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (replies < said) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return Math.max(0, said - replies);
    }

    private void printReplies(ControlClient control, PrintWriter out) {
        while (!done) {
            JsonNode news;
            try {
                news = control.get("sent", Map.of("bot", bot, "chat", chat, "after", lastSeen, "wait_ms", 25_000));
            } catch (ControlClient.CliException e) {
                if (!done) {
                    spec.commandLine().getErr().println(e.getMessage());
                }
                return;
            }
            synchronized (this) {
                for (JsonNode m : news) {
                    out.println("bot: " + m.get("text").asText());
                    lastSeen = Math.max(lastSeen, m.get("messageId").asLong());
                    replies++;
                }
                notifyAll();
            }
        }
    }
}

package io.botvisor.sandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.botvisor.sandbox.EchoBot;
import io.botvisor.sandbox.SandboxConfig;
import io.botvisor.sandbox.SandboxServer;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CliTest {

    private final SandboxServer server = SandboxServer.start(SandboxConfig.defaults().withLog(line -> { }));
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void close() {
        server.close();
    }

    private int run(String stdin, String... args) {
        return Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void sayPrintsTheBotsReply() throws Exception {
        try (EchoBot bot = new EchoBot(server, "123:secret")) {
            int status = run("", "say", "--url", server.url(), "--bot", "123", "--chat", "42", "hello there");

            assertThat(status).isZero();
            assertThat(out.toString()).isEqualTo("bot: hello there\n");
        }
    }

    @Test
    void sayWithoutASandboxSaysHowToStartOne() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }

        int status = run("", "say", "--url", "http://127.0.0.1:" + port, "--bot", "1", "--chat", "2", "hi");

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("sandbox: no sandbox answers at http://127.0.0.1:" + port
                + " (start one with: botvisor sandbox --port " + port + ")\n");
    }

    @Test
    void chatWithInputFromAPipePrintsEachReply() throws Exception {
        try (EchoBot bot = new EchoBot(server, "123:secret")) {
            int status = run("one\ntwo\n", "chat", "--url", server.url(), "--bot", "123", "--chat", "7");

            assertThat(status).isZero();
            assertThat(out.toString()).isEqualTo("bot: one\nbot: two\n");
        }
    }

    @Test
    void loadReportsEveryMessageAnsweredOnce() throws Exception {
        try (EchoBot bot = new EchoBot(server, "123:secret")) {
            int status = run("", "load", "--url", server.url(), "--bots", "123", "--rate", "20", "--chats", "3",
                    "--duration", "1s", "--json");

            assertThat(status).as(err.toString()).isZero();
            JsonNode report = new ObjectMapper().readTree(out.toString());
            assertThat(report.get("sent").asInt()).isEqualTo(20);
            assertThat(report.get("answered").asInt()).isEqualTo(20);
            assertThat(report.get("duplicates").asInt()).isZero();
        }
    }

    @Test
    void aSayWhoseAnswerWasLostIsTriedAgainAsTheSameMessage() throws Exception {
        try (DroppingRelay relay = new DroppingRelay(server.port())) {
            int status = run("", "say", "--url", relay.url(), "--bot", "123", "--chat", "42", "--wait", "0", "hi");

            assertThat(status).as(err.toString()).isZero();
            assertThat(server.userEvents()).as("one message, though the sandbox was asked twice").hasSize(1);
            assertThat(out.toString()).isEqualTo("said: update " + server.userEvents().get(0).updateId()
                    + ", message 1 in chat 42\n");
        }
    }

    @Test
    void verdictPassesWhenEveryMessageWasAnswered() throws Exception {
        try (EchoBot bot = new EchoBot(server, "123:secret")) {
            run("", "say", "--url", server.url(), "--bot", "123", "--chat", "42", "hello");

            int status = run("", "verdict", "--url", server.url(), "--wait", "10");

            assertThat(status).as(out.toString()).isZero();
            assertThat(out.toString()).contains("verdict: passed")
                    .contains("answered    ok    said 1, answered 1, pending 0, oldestPendingMillis 0\n");
        }
    }

    @Test
    void verdictFailsNamingTheMessageNotAnswered() {
        run("", "say", "--url", server.url(), "--bot", "123", "--chat", "42", "--wait", "0", "hello?");

        int status = run("", "verdict", "--url", server.url());

        assertThat(status).isEqualTo(3);
        assertThat(out.toString()).contains("verdict: FAILED").containsPattern(
                "answered    FAIL  said 1, answered 0, pending 1, oldestPendingMillis \\d+\n"
                        + "    bot 123 chat 42 message 1: not answered after \\d+ ms: \"hello\\?\"\n");
    }

    @Test
    void verdictResetLeavesEarlierMessagesOut() throws Exception {
        run("", "say", "--url", server.url(), "--bot", "123", "--chat", "42", "--wait", "0", "never answered");

        int reset = run("", "verdict", "--url", server.url(), "--reset");
        int status = run("", "verdict", "--url", server.url(), "--json");

        assertThat(reset).isZero();
        assertThat(status).isZero();
        String[] lines = out.toString().split("\n");
        assertThat(lines[1]).startsWith("verdict: counting afresh from ");
        JsonNode verdict = new ObjectMapper().readTree(lines[2]);
        assertThat(verdict.at("/answered/figures/said").asLong()).isZero();
    }

    @Test
    void faultAddsARuleForEveryBot() {
        int status = run("", "fault", "--url", server.url(), "429", "--fraction", "0.05", "--retry-after", "3");

        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo("429 (retry_after 3 s) to 5.0% of calls of every bot, every method\n");
        assertThat(server.activeFaults()).singleElement().satisfies(r -> assertThat(r.botId()).isZero());
    }

    @Test
    void faultClearRemovesEveryRule() {
        run("", "fault", "--url", server.url(), "drop-after", "--times", "3", "--method", "sendMessage");

        int status = run("", "fault", "--url", server.url(), "--clear");

        assertThat(status).isZero();
        assertThat(server.activeFaults()).isEmpty();
        assertThat(out.toString()).endsWith("no faults\n");
    }

    @Test
    void aBadDurationSaysWhatIsExpected() {
        int status = run("", "load", "--url", server.url(), "--bots", "1", "--rate", "5", "--duration", "soon");

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("sandbox load: --duration \"soon\" is not a duration (expected e.g. 30s"
                + " or 2m)\n");
    }

    @Test
    void aPortInUseSaysToPickAnother() {
        int status = run("", "--port", Integer.toString(server.port()));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).startsWith("sandbox: cannot listen on 127.0.0.1:" + server.port() + " (")
                .endsWith("); pick another port with --port\n");
    }
}

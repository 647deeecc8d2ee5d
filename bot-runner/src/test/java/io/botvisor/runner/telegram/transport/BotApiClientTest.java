package io.botvisor.runner.telegram.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.botvisor.runner.telegram.transport.ApiOutcome.Kind;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BotApiClientTest {
    static final String TOKEN = RedactionTest.TOKEN;
    static final String SECRET = TOKEN.substring(TOKEN.indexOf(':') + 1);

    private static BotApiClient client(URI uri, Duration callTimeout) {
        return new BotApiClient(uri, TOKEN, Duration.ofSeconds(2), callTimeout, new ObjectMapper());
    }

    @Test
    void postsJsonOverHttp11WithoutAnUpgradeHeader() throws Exception {
        try (RawServer server = new RawServer((s, r) -> RawServer.answer(s, 200, "{\"ok\":true,\"result\":[]}"))) {
            ApiOutcome outcome = client(server.uri(), Duration.ofSeconds(5))
                    .getUpdates(42, 100, 0, List.of("message", "callback_query"));
            assertThat(outcome.kind()).isEqualTo(Kind.OK);
            RawServer.Request request = server.requests.take();
            assertThat(request.head()).startsWith("POST /bot" + TOKEN + "/getUpdates HTTP/1.1\r\n")
                    .containsIgnoringCase("content-type: application/json").doesNotContainIgnoringCase("upgrade");
            assertThat(new ObjectMapper().readTree(request.body())).isEqualTo(new ObjectMapper().readTree(
                    "{\"offset\":42,\"limit\":100,\"timeout\":0,\"allowed_updates\":[\"message\",\"callback_query\"]}"));
        }
    }

    @Test
    void refusedConnectionIsNotSent() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        ApiOutcome outcome = client(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(5))
                .call("sendMessage", "{\"chat_id\":1,\"text\":\"x\"}");
        assertThat(outcome.kind()).isEqualTo(Kind.NOT_SENT);
        assertThat(((ApiOutcome.Failure) outcome).description()).startsWith("sendMessage: ConnectException")
                .doesNotContain(SECRET);
    }

    @Test
    void connectionDroppedAfterTheRequestIsUncertain() throws Exception {
        try (RawServer server = new RawServer((s, r) -> s.close())) {
            ApiOutcome outcome = client(server.uri(), Duration.ofSeconds(5))
                    .call("sendMessage", "{\"chat_id\":1,\"text\":\"x\"}");
            assertThat(outcome.kind()).isEqualTo(Kind.UNCERTAIN);
            assertThat(server.requests).hasSize(1);
        }
    }

    @Test
    void bodyThatNeverCompletesTimesOutAsUncertain() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (RawServer server = new RawServer((s, r) -> {
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"ok\":".getBytes());
            s.getOutputStream().flush();
            release.await(); // headers came, the body stalls: the JDK's request timeout would not end this
        })) {
            ApiOutcome outcome = client(server.uri(), Duration.ofMillis(300))
                    .call("sendMessage", "{\"chat_id\":1,\"text\":\"x\"}");
            assertThat(outcome.kind()).isEqualTo(Kind.UNCERTAIN);
            assertThat(((ApiOutcome.Failure) outcome).description())
                    .isEqualTo("sendMessage: no complete response within 300 ms");
        } finally {
            release.countDown();
        }
    }

    @Test
    void interruptEndsAParkedPollAndClosesItsConnection() throws Exception {
        CompletableFuture<Integer> serverSaw = new CompletableFuture<>();
        try (RawServer server = new RawServer((s, r) -> serverSaw.complete(s.getInputStream().read()))) {
            BotApiClient client = client(server.uri(), Duration.ofSeconds(5));
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Thread poller = new Thread(() -> {
                try {
                    client.getUpdates(0, 100, 25, List.of("message"));
                } catch (Throwable t) {
                    ended.set(t);
                }
            });
            poller.start();
            server.requests.poll(10, TimeUnit.SECONDS); // the poll is parked on the server
            poller.interrupt();
            poller.join(TimeUnit.SECONDS.toMillis(5)); // a bound for a slow machine, far below the poll's 25 s
            assertThat(poller.isAlive()).isFalse();
            assertThat(ended.get()).isInstanceOf(InterruptedException.class);
            assertThat(serverSaw.get(5, TimeUnit.SECONDS)).as("the server sees the connection closed").isEqualTo(-1);
        }
    }

    @Test
    void toStringAndUrlsHideTheToken() {
        BotApiClient client = client(URI.create("https://api.telegram.org/"), Duration.ofSeconds(5));
        assertThat(client.toString()).isEqualTo("BotApiClient[https://api.telegram.org/bot123456789:***/]");
        assertThat(client.redactedUrl("getMe")).isEqualTo("https://api.telegram.org/bot123456789:***/getMe");
    }

    @Test
    void malformedTokenIsRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> new BotApiClient(URI.create("https://api.telegram.org"), "12345 secretpart",
                Duration.ofSeconds(1), Duration.ofSeconds(1), new ObjectMapper()))
                .isInstanceOf(TransportException.class).hasMessageNotContaining("secretpart")
                .hasMessage("the Telegram token is not of the form <bot id>:<secret> (digits, a colon, then letters, "
                        + "digits, '_' or '-'); check the bot's TELEGRAM_BOT_TOKEN");
    }
}

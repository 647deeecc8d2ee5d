package io.botvisor.runner.telegram.transport;

import static io.botvisor.runner.telegram.transport.ScriptedApi.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.botvisor.sandbox.Fault;
import io.botvisor.sandbox.FaultRule;
import io.botvisor.sandbox.SandboxConfig;
import io.botvisor.sandbox.SandboxServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Whatever goes wrong, the transport's log lines and exceptions never hold the token's secret. */
class TokenNotLoggedIT {
    private static final String TOKEN = RedactionTest.TOKEN;
    private static final String SECRET = TOKEN.substring(TOKEN.indexOf(':') + 1);
    private static final long BOT = TransportSandboxIT.BOT;

    private final SandboxServer sandbox = SandboxServer.start(SandboxConfig.defaults());
    private final ListAppender<ILoggingEvent> capture = new ListAppender<>();
    private final Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(
            org.slf4j.Logger.ROOT_LOGGER_NAME);
    private Level rootLevel;

    @BeforeEach
    void captureEverything() {
        capture.start();
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        root.addAppender(capture);
    }

    @AfterEach
    void release() {
        root.detachAppender(capture);
        root.setLevel(rootLevel);
        sandbox.close();
    }

    private String captured() {
        return capture.list.stream().map(e -> e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())))
                .collect(Collectors.joining("\n"));
    }

    @Test
    void noLogLineOrExceptionHoldsTheToken() throws Exception {
        // The capture sees a transport logger's lines, arguments formatted in: a leaked token would show.
        LoggerFactory.getLogger(Poller.class).warn("bot '{}': {}", "b1", "GET " + sandbox.url() + "/bot" + TOKEN
                + "/getMe");
        assertThat(captured()).contains(SECRET);
        capture.list.clear();

        BotApiClient client = new BotApiClient(URI.create(sandbox.url()), TOKEN, Duration.ofSeconds(2),
                Duration.ofSeconds(5), new ObjectMapper());
        // A webhook URL that holds the token, as some set it up; the poller logs it when it deletes it.
        assertThat(client.call("setWebhook", "{\"url\":\"https://example.org/bot" + TOKEN + "/hook\"}").ok()).isTrue();
        sandbox.injectFault(FaultRule.next(1, Fault.status(502)).forBot(BOT).forMethod("getUpdates"));
        sandbox.injectFault(FaultRule.next(1, Fault.status(500)).forBot(BOT).forMethod("getUpdates"));
        sandbox.injectFault(FaultRule.next(1, Fault.status(409)).forBot(BOT).forMethod("getUpdates"));
        sandbox.injectFault(FaultRule.next(1, Fault.dropAfterApplying()).forBot(BOT).forMethod("getUpdates"));
        sandbox.say(BOT, 42, "pending, so that the dropped poll is answered at once");
        List<TokenRejectedException> rejected = new CopyOnWriteArrayList<>();
        Poller poller = new Poller("b1", client, updates -> updates.size(), new FloodGate(System::nanoTime),
                PollerConfig.defaults(List.of("message")), 0, TransportCounters.NONE, rejected::add, () -> 0.5);
        poller.start(Duration.ofSeconds(20));
        await("the four failed polls logged", () -> captured().contains("getUpdates failed (UNCERTAIN"));
        sandbox.revoke(BOT);
        sandbox.say(BOT, 42, "end the parked poll");
        await("the rejection", () -> !rejected.isEmpty());
        poller.stop(Duration.ofSeconds(5));

        assertThat(capture.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).contains("a webhook is set (https://example.org/bot123456789:***/hook)"))
                .anySatisfy(line -> assertThat(line).contains("getUpdates failed (SERVER 502 response is not a Bot API"))
                .anySatisfy(line -> assertThat(line).contains("getUpdates failed (UNCERTAIN"));
        assertThat(captured()).doesNotContain(SECRET);
        assertThat(rejected.get(0).getMessage()).doesNotContain(SECRET);
        assertThat(poller.healthProblem().orElseThrow()).doesNotContain(SECRET);
        assertThat(client.toString()).doesNotContain(SECRET);
    }
}

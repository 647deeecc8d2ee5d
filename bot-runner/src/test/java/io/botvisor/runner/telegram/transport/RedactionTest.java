package io.botvisor.runner.telegram.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class RedactionTest {
    static final String TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

    @Test
    void hidesTheSecretInAUrlPathAndKeepsTheBotId() {
        assertThat(Redaction.redact("POST https://api.telegram.org/bot" + TOKEN + "/getUpdates failed"))
                .isEqualTo("POST https://api.telegram.org/bot123456789:***/getUpdates failed");
    }

    @Test
    void hidesAShortSecretInAUrlPath() {
        assertThat(Redaction.redact("http://127.0.0.1:8081/bot42:abc/getMe?x=1")).isEqualTo(
                "http://127.0.0.1:8081/bot42:***/getMe?x=1");
    }

    @Test
    void hidesABareToken() {
        assertThat(Redaction.redact("token " + TOKEN + ".")).isEqualTo("token 123456789:***.");
    }

    @Test
    void leavesTimesAndPortsAlone() {
        assertThat(Redaction.redact("at 12:30, http://127.0.0.1:8081/x")).isEqualTo("at 12:30, http://127.0.0.1:8081/x");
    }

    @Test
    void describeRedactsTheWholeCauseChain() {
        Exception e = new RuntimeException("outer /bot" + TOKEN + "/getMe",
                new ConnectException("inner bot" + TOKEN));
        assertThat(Redaction.describe(e)).contains("RuntimeException", "ConnectException", "123456789:***")
                .doesNotContain("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
    }
}

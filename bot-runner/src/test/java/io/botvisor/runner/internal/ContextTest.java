package io.botvisor.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.botvisor.ipc.ChildSpec;
import io.botvisor.runner.BotConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContextTest {
    private final Context ctx = new Context(new ChildSpec("bot-1", 1, Path.of("unused"), "chaos",
            Duration.ofSeconds(1), Map.of("wait", "soon"), null));

    @Test
    void counterNameTheHeartbeatCannotCarryIsRefusedAtTheCall() {
        assertThatThrownBy(() -> ctx.count("messages sent", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("counter name \"messages sent\" is not valid (expected [A-Za-z0-9_.-]{1,64}, e.g. "
                        + "messagesSent)");
        assertThat(ctx.counterSnapshot()).isEmpty();
    }

    @Test
    void malformedDurationIsABotConfigException() {
        assertThatThrownBy(() -> ctx.durationConfig("wait", Duration.ZERO)).isInstanceOf(BotConfigException.class)
                .hasMessage("config.wait \"soon\" is not a duration (expected e.g. 500ms, 10s, 5m, 1h, 30d)");
    }
}

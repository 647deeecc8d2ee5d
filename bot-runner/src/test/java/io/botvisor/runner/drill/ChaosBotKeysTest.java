package io.botvisor.runner.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.BuiltInBots;
import org.junit.jupiter.api.Test;

/** The supervisor checks a chaos bot's {@code config:} against {@link BuiltInBots}: the bot must read the same keys. */
class ChaosBotKeysTest {
    @Test
    void chaosBotReadsExactlyTheConfigKeysIpcDescribes() {
        assertThat(BuiltInBots.configKeys(BuiltInBots.CHAOS).orElseThrow().keySet()).isEqualTo(ChaosBot.KEYS);
    }
}

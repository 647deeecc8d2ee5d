package io.botvisor.runner.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.BuiltInBots;
import org.junit.jupiter.api.Test;

/** The supervisor checks an attack bot's {@code config:} against {@link BuiltInBots}: the bot reads the same keys. */
class AttackBotKeysTest {
    @Test
    void attackBotReadsExactlyTheConfigKeysIpcDescribes() {
        assertThat(BuiltInBots.configKeys(BuiltInBots.ATTACK).orElseThrow().keySet()).isEqualTo(AttackBot.KEYS);
    }
}

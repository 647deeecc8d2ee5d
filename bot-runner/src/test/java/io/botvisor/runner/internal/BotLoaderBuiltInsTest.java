package io.botvisor.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.BuiltInBots;
import io.botvisor.runner.drill.AttackBot;
import io.botvisor.runner.drill.ChaosBot;
import java.lang.reflect.Field;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The supervisor checks {@code type:} against {@link BuiltInBots} without linking bot-runner: the loader's own list
 * must be the same, or a fleet file would be refused (or passed) wrongly.
 */
class BotLoaderBuiltInsTest {
    @Test
    void loaderKnowsExactlyTheBuiltInTypesIpcDescribes() throws ReflectiveOperationException {
        // The loader's table is private to it; reading it here keeps the loader's code as it is.
        Field table = BotLoader.class.getDeclaredField("BUILT_IN");
        table.setAccessible(true);
        assertThat(((Map<?, ?>) table.get(null)).keySet()).isEqualTo(BuiltInBots.names());
    }

    @Test
    void attackTypeLoadsTheHostileDrillBot() throws Exception {
        assertThat(BotLoader.load(BuiltInBots.ATTACK)).isInstanceOf(AttackBot.class);
    }

    @Test
    void chaosTypeLoadsTheDrillBot() throws Exception {
        assertThat(BotLoader.load(BuiltInBots.CHAOS)).isInstanceOf(ChaosBot.class);
    }
}

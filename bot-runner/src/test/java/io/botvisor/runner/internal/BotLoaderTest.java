package io.botvisor.runner.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.botvisor.runner.BotConfigException;
import io.botvisor.runner.testbots.NoDefaultConstructorBot;
import org.junit.jupiter.api.Test;

class BotLoaderTest {

    @Test
    void classThatIsNotABotIsAConfigError() {
        assertThatThrownBy(() -> BotLoader.load("java.lang.Object")).isInstanceOf(BotConfigException.class)
                .hasMessage("class java.lang.Object does not implement io.botvisor.runner.Bot (a bot class is "
                        + "public, implements io.botvisor.runner.Bot and has a public no-argument constructor)");
    }

    @Test
    void botClassWithoutANoArgumentConstructorIsAConfigError() {
        assertThatThrownBy(() -> BotLoader.load(NoDefaultConstructorBot.class.getName()))
                .isInstanceOf(BotConfigException.class)
                .hasMessageStartingWith("class " + NoDefaultConstructorBot.class.getName()
                        + " has no public no-argument constructor");
    }
}

package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DbFilesTest {
    final DbFiles files = DbFiles.under(Path.of("/srv/state"));

    @Test
    void botPasswordFileIsInTheSecretsDir() {
        assertThat(files.botPassword("shop-1")).isEqualTo(Path.of("/srv/state/db/secrets/bot-shop-1.password"));
    }

    @Test
    void botPasswordFileOfANameThatIsNotABotIdIsRefused() {
        assertThatThrownBy(() -> files.botPassword("../../x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"../../x\" is not a bot id (expected 1-40 of a-z, 0-9, '-', starting with a letter or "
                        + "digit)");
    }
}

package io.botvisor.supervisor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TelegramSectionTest {
    private static final String TOKEN = "123456:AAH-sandbox_token";
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Files.writeString(dir.resolve("bot.env"), "TELEGRAM_BOT_TOKEN=" + TOKEN + "\n");
        Path f = dir.resolve("fleet.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private List<String> problems(String yaml) throws IOException {
        Path f = write(yaml);
        InvalidFleetFileException e = catchThrowableOfType(InvalidFleetFileException.class,
                () -> FleetFileReader.read(f));
        assertThat(e).as("the file is refused").isNotNull();
        return e.problems();
    }

    private String bot(String problem) {
        return dir.resolve("fleet.yaml") + ": bot 'a': " + problem;
    }

    @Test
    void builtInDefaultsFillTheSectionOfABotRunnerBot() throws IOException {
        Specs.Bot a = FleetFileReader.read(write("bots:\n  - { id: a, type: echo, secretsFile: bot.env }\n"))
                .bots().get(0);
        assertThat(a.telegram()).isEqualTo(new Specs.Telegram("https://api.telegram.org", Duration.ofSeconds(25),
                List.of("message", "edited_message", "callback_query", "my_chat_member"), 4, Duration.ofSeconds(30),
                "1/s", "20/min", "30/s", "retry-once", "wait", "Sorry, I cannot answer this right now: my database is "
                + "unavailable. Please try again in a few minutes.", 64L * 1024 * 1024));
    }

    @Test
    void theDefaultsApiUrlIsInheritedAndABotsOwnWins() throws IOException {
        Specs.Fleet fleet = FleetFileReader.read(write("""
                defaults: { telegram: { apiUrl: "http://127.0.0.1:8081/" } }
                bots:
                  - { id: a, type: echo, secretsFile: bot.env }
                  - { id: b, type: echo, secretsFile: bot.env, telegram: { apiUrl: "https://tg.example.org" } }
                """));
        assertThat(fleet.bots().get(0).telegram().apiUrl()).isEqualTo("http://127.0.0.1:8081");
        assertThat(fleet.bots().get(1).telegram().apiUrl()).isEqualTo("https://tg.example.org");
    }

    @Test
    void aCommandBotHasNoSectionAndMayNotSetOne() throws IOException {
        assertThat(FleetFileReader.read(write("bots:\n  - { id: a, command: [sleep, \"9\"] }\n")).bots().get(0)
                .telegram()).isNull();
        assertThat(problems("bots:\n  - { id: a, command: [sleep, \"9\"], telegram: { pollTimeout: 5s } }\n"))
                .containsExactly(bot("telegram is set on a command: bot (expected it only on type: or class: bots, "
                        + "whose runtime talks to the Bot API)"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "pollTimeout: 60s | telegram.pollTimeout \"60s\" is above 50s (expected 0s to 50s: the Bot API waits no "
                + "longer; 25s is usual)",
        "allowedUpdates: [message, mesage] | telegram.allowedUpdates \"mesage\" is not an update kind of the Bot API "
                + "(expected some of: message, edited_message, callback_query, inline_query, my_chat_member, …)",
        "handlerThreads: 0 | telegram.handlerThreads 0 is not valid (expected a whole number from 1 to 64)",
        "sendLimits: { perChat: 2/h } | telegram.sendLimits.perChat \"2/h\" is not a rate (expected messages per "
                + "second or minute, e.g. 1/s or 20/min)",
        "uncertainSends: always | telegram.uncertainSends \"always\" is not valid (expected retry-once or never)",
        "whenDatabaseDown: fail | telegram.whenDatabaseDown \"fail\" is not valid (expected wait: the update waits for "
                + "the database, or apologize: the reply telegram.apology is sent)",
        "apology: \"\" | telegram.apology \"\" is not a message (expected text of 1 to 4096 characters)",
        "journal: { maxBytes: 10k } | telegram.journal.maxBytes \"10k\" is below 64k (expected a size of at least 64k, "
                + "e.g. 64m: the bot's journal while its database is down)",
        "journal: { maxBytes: lots } | telegram.journal.maxBytes \"lots\" is not a size (expected a size of at least "
                + "64k, e.g. 64m: the bot's journal while its database is down)",
        "apiUrl: \"ftp://x\" | telegram.apiUrl \"ftp://x\" is not an http(s) URL with a host (expected e.g. "
                + "https://api.telegram.org or http://127.0.0.1:8081)",
    })
    void aBadValueIsRefusedNamingFieldValueAndExpectation(String setting, String problem) throws IOException {
        assertThat(problems("bots:\n  - { id: a, type: echo, secretsFile: bot.env, telegram: { " + setting
                + " } }\n")).containsExactly(bot(problem));
    }

    @Test
    void anApiUrlWithATokenInItsPathIsRefusedWithoutRepeatingIt() throws IOException {
        String yaml = "bots:\n  - { id: a, type: echo, secretsFile: bot.env, telegram: { apiUrl: "
                + "\"https://api.telegram.org/bot" + TOKEN + "\" } }\n";
        assertThat(Files.readString(write(yaml))).as("the token is in the file").contains(TOKEN);
        assertThat(problems(yaml)).containsExactly(bot("telegram.apiUrl \"(not shown)\" has a user, query, fragment "
                + "or /bot… path (expected only the server's address, e.g. https://api.telegram.org; the token goes in "
                + "the bot's secretsFile: as TELEGRAM_BOT_TOKEN)"));
    }

    @Test
    void aBuiltInTelegramBotWithoutATokenIsRefusedNamingWhereItGoes() throws IOException {
        assertThat(problems("bots:\n  - { id: a, type: echo }\n")).containsExactly(bot("TELEGRAM_BOT_TOKEN is not "
                + "set (type echo talks to Telegram: put TELEGRAM_BOT_TOKEN=<token from @BotFather> in the bot's "
                + "secretsFile:, or any 123:abc for the sandbox)"));
    }

    @Test
    void aMalformedTokenIsRefusedWithoutShowingIt() throws IOException {
        String yaml = "bots:\n  - { id: a, type: persona, env: { TELEGRAM_BOT_TOKEN: \"s3cr3t token\" } }\n";
        assertThat(Files.readString(write(yaml))).as("the value is in the file").contains("s3cr3t");
        List<String> problems = problems(yaml);
        assertThat(problems).containsExactly(bot("TELEGRAM_BOT_TOKEN is not a Bot API token (expected <digits>:"
                + "<letters, digits, _ or ->, as @BotFather gives it; the value is not shown)"));
    }
}

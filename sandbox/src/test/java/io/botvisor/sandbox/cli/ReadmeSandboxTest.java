package io.botvisor.sandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README's sandbox command lines are ones the sandbox's command line takes (the supervisor's test skips them). */
class ReadmeSandboxTest {

    @Test
    void theCommandLineTakesEverySandboxLineOfTheReadme() throws Exception {
        List<List<String>> lines = new ArrayList<>();
        boolean inBlock = false;
        for (String raw : Files.readString(Path.of("..", "README.md")).split("\n")) {
            if (raw.strip().startsWith("```")) {
                inBlock = !inBlock;
            } else if (inBlock && raw.strip().startsWith("scripts/botvisor sandbox")) {
                List<String> words = words(raw.strip());
                lines.add(words.subList(2, words.size()));
            }
        }
        assertThat(lines).as("sandbox lines in the README's code blocks").hasSizeGreaterThanOrEqualTo(4);
        for (List<String> args : lines) {
            CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
            assertThat(parsed.unmatched()).as(String.join(" ", args)).isEmpty();
        }
    }

    /** Shell words: spaces split, double quotes group. */
    private static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ' ' && !quoted) {
                if (word.length() > 0) {
                    out.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.append(c);
            }
        }
        if (word.length() > 0) {
            out.add(word.toString());
        }
        return out;
    }
}

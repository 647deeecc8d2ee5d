package io.botvisor.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell completion scripts: current with the code, and completing commands, options and bot ids in bash. */
class CompletionTest {
    private static final Path SCRIPTS = Path.of("..", "scripts", "completion");

    @TempDir
    Path dir;

    @Test
    void theCommittedScriptsAreWhatTheCodeGenerates() throws Exception {
        assertThat(Files.readString(SCRIPTS.resolve("botvisor.bash")))
                .as("scripts/completion/botvisor.bash is out of date; regenerate it: "
                        + "scripts/botvisor completion bash > scripts/completion/botvisor.bash")
                .isEqualTo(Completion.script(Completion.Shell.bash));
        assertThat(Files.readString(SCRIPTS.resolve("_botvisor")))
                .as("scripts/completion/_botvisor is out of date; regenerate it: "
                        + "scripts/botvisor completion zsh > scripts/completion/_botvisor")
                .isEqualTo(Completion.script(Completion.Shell.zsh));
    }

    /** What bash offers for the last word of {@code words} (the word being completed, maybe empty). */
    private List<String> complete(String... words) throws Exception {
        StringBuilder array = new StringBuilder();
        for (String w : words) {
            array.append(" '").append(w).append('\'');
        }
        String line = String.join(" ", words);
        String script = "source '" + SCRIPTS.resolve("botvisor.bash").toAbsolutePath() + "'\n"
                + "COMP_WORDS=(" + array + ")\n"
                + "COMP_CWORD=" + (words.length - 1) + "\n"
                + "COMP_LINE='" + line + "'\n"
                + "COMP_POINT=" + line.length() + "\n"
                + "_botvisor_complete botvisor '" + words[words.length - 1] + "' '" + words[words.length - 2] + "'\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        // stderr apart: outside a real completion, bash's compopt complains ("not currently executing completion
        // function") and does nothing.
        Path err = dir.resolve("bash.err");
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectError(err.toFile())
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out + Files.readString(err)).isZero();
        return out.lines().filter(l -> !l.isEmpty()).toList();
    }

    private Path stateWithBots() throws Exception {
        Path state = dir.resolve("st");
        Files.createDirectories(state.resolve("logs/shop-1"));
        Files.createDirectories(state.resolve("logs/shop-2"));
        Files.writeString(state.resolve("logs/supervisor.log"), "not a bot\n");
        Files.writeString(state.resolve("uids"), "drill-1=1900000001\nshop-1=1900000002\n");
        return state;
    }

    @Test
    void completesBotIdsFromTheStateDirTheLineNames() throws Exception {
        String state = stateWithBots().toString();
        assertThat(complete("botvisor", "ctl", "--state-dir", state, "stop", ""))
                .containsExactly("drill-1", "shop-1", "shop-2");
        assertThat(complete("botvisor", "ctl", "--state-dir", state, "restart", "shop-1", "sh"))
                .containsExactly("shop-1", "shop-2");
        assertThat(complete("botvisor", "db", "--state-dir", state, "psql", "--bot", "d")).containsExactly("drill-1");
    }

    @Test
    void completesCommandsAndOptionsFromTheCode() throws Exception {
        assertThat(complete("botvisor", "d")).contains("db");
        assertThat(complete("botvisor", "db", "m")).containsExactly("migrate");
        assertThat(complete("botvisor", "ctl", "st")).contains("status", "start", "stop");
        assertThat(complete("botvisor", "db", "status", "--st")).containsExactly("--state-dir");
    }
}

package io.botvisor.supervisor.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code botvisor completion bash|zsh}: the shell completion script. Commands, options and their values come from
 * picocli's generator (so they follow the code); bot ids come from the state dir the command line names (the
 * hand-written {@code completion-bot-ids.bash}: names under {@code STATE/logs/} and in {@code STATE/uids}). zsh runs
 * the same script through its {@code bashcompinit}. The scripts are also kept in {@code scripts/completion/}, where
 * {@code scripts/install} takes them from (a test checks that they are current). Stateless.
 */
@Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Print the shell completion script for bash or zsh (completes commands, options and bot ids).",
        footer = {"%nExamples:", "  source <(botvisor completion bash)",
                "  botvisor completion zsh > ~/.zsh/completions/_botvisor"})
final class Completion implements Callable<Integer> {
    /** The shells there is a script for. */
    enum Shell { bash, zsh }

    /** The part that completes bot ids, appended to picocli's script. */
    static final String BOT_IDS = "/io/botvisor/supervisor/cli/completion-bot-ids.bash";

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh")
    Shell shell;

    @Override
    public Integer call() {
        System.out.print(script(shell));
        System.out.flush();
        return 0;
    }

    static String script(Shell shell) {
        String bash = AutoComplete.bash("botvisor", new CommandLine(new Main())) + "\n" + resource(BOT_IDS);
        if (shell == Shell.bash) {
            return bash;
        }
        // Autoloaded from fpath as the function _botvisor: its first call defines the bash functions (bashcompinit
        // makes 'complete' register them for later calls) and then completes the word at hand.
        return "#compdef botvisor scripts/botvisor\n"
                + "# zsh completion for botvisor: the bash script below, run by zsh's bashcompinit.\n"
                + "autoload -U +X bashcompinit && bashcompinit\n"
                // zsh has no compopt; the script's 'alias compopt=complete' comes too late for functions autoloaded
                // in one piece (aliases apply when a function is read): a no-op instead.
                + "(( $+functions[compopt] )) || compopt() { return 0; }\n"
                + bash
                + "\n_bash_complete -o default -F _botvisor_complete\n";
    }

    private static String resource(String name) {
        try (InputStream in = Completion.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " (a broken build)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

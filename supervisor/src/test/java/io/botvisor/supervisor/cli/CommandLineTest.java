package io.botvisor.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** botvisor's command line as an operator types it: the README's synopses, options' places, usage, help, version. */
class CommandLineTest {
    private static final Path README = Path.of("..", "README.md");

    /** What one in-process run printed and returned (only for command lines that stop before doing anything). */
    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        Main.Route route = Main.route(args);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = route.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(route.args());
        return new Run(code, out.toString(), err.toString());
    }

    private static CommandLine.ParseResult parse(String... args) {
        Main.Route route = Main.route(args);
        return route.commandLine().parseArgs(route.args());
    }

    /** The command object the parse ends at (db's migrate, say). */
    private static Object leaf(CommandLine.ParseResult r) {
        while (r.hasSubcommand()) {
            r = r.subcommand();
        }
        return r.commandSpec().userObject();
    }

    @Test
    void theCommandLineAcceptsEverySynopsisInTheReadme() throws Exception {
        List<String> lines = Synopsis.commandLines(Files.readString(README));
        assertThat(lines).as("command lines in the README's code blocks").hasSizeGreaterThan(10)
                .anyMatch(l -> l.startsWith("scripts/botvisor db [--config FILE] [--state-dir DIR] {migrate"));
        List<String> refused = new ArrayList<>();
        int checked = 0;
        for (String line : lines) {
            if (line.matches("\\S*botvisor sandbox( .*)?")) {
                continue; // the sandbox's own command line (the sandbox module's ReadmeSandboxTest checks these)
            }
            for (List<String> args : Synopsis.expand(line)) {
                checked++;
                try {
                    CommandLine.ParseResult r = parse(args.toArray(String[]::new));
                    if (!r.unmatched().isEmpty()) {
                        refused.add(line + "\n    as " + args + ": unmatched " + r.unmatched());
                    }
                } catch (CommandLine.ParameterException e) {
                    refused.add(line + "\n    as " + args + ": " + e.getMessage());
                }
            }
        }
        assertThat(checked).isGreaterThan(lines.size());
        assertThat(refused).as("README command lines the parser refuses").isEmpty();
    }

    @Test
    void dbOptionsReachTheCommandOnEitherSideOfItsName() {
        Object before = leaf(parse("db", "--config", "a.yaml", "--state-dir", "/s1", "migrate"));
        assertThat(before).isInstanceOf(DbCommand.Migrate.class);
        assertThat(((DbCommand.Base) before).givenConfig()).isEqualTo(Path.of("a.yaml"));
        assertThat(((DbCommand.Base) before).stateDir()).isEqualTo(Path.of("/s1"));
        Object after = leaf(parse("db", "status", "--state-dir", "/s2"));
        assertThat(((DbCommand.Base) after).stateDir()).isEqualTo(Path.of("/s2"));
        assertThat(((DbCommand.Base) after).givenConfig()).isNull();
        Object both = leaf(parse("db", "--state-dir", "/outer", "plan", "--state-dir", "/inner"));
        assertThat(((DbCommand.Base) both).stateDir()).as("the later one wins").isEqualTo(Path.of("/inner"));
        Object neither = leaf(parse("db", "validate"));
        assertThat(((DbCommand.Base) neither).stateDir()).isEqualTo(Path.of("state").toAbsolutePath());
    }

    @Test
    void aBadCommandLineExitsTwoWithTheReasonAndTheUsageOnStderr() {
        for (String[] args : List.of(new String[] {"db", "--bogus", "migrate"}, new String[] {"db"},
                new String[] {}, new String[] {"db", "status", "extra"}, new String[] {"ctl"})) {
            Run r = run(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).contains("Usage: botvisor");
            assertThat(r.out()).as(String.join(" ", args)).isEmpty();
        }
        assertThat(run("db", "--bogus", "migrate").err()).startsWith("Unknown option: '--bogus'");
        assertThat(run("db").err()).startsWith("Missing command (migrate, rollback,");
    }

    @Test
    void helpOnEveryCommandExitsZeroOnStdoutWithAnExample() {
        List<String> commands = new ArrayList<>();
        collect(Main.route(new String[] {"run"}).commandLine(), commands);
        commands.add("ctl");
        assertThat(commands).contains("run", "db", "db status", "db psql", "completion", "ctl");
        for (String command : commands) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            if (command.isEmpty()) {
                args.clear();
            }
            args.add("--help");
            Run r = run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(command + " --help").isZero();
            assertThat(r.err()).as(command + " --help").isEmpty();
            assertThat(r.out()).as(command + " --help").contains("Usage: botvisor").containsPattern("Examples?:");
        }
    }

    private static void collect(CommandLine cl, List<String> into) {
        String path = cl.getCommandSpec().qualifiedName(" ").replaceFirst("^botvisor ?", "");
        into.add(path);
        cl.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    @Test
    void versionPrintsTheBuiltVersionAndTheJava() {
        for (String[] args : List.of(new String[] {"--version"}, new String[] {"-V"}, new String[] {"ctl", "-V"},
                new String[] {"db", "status", "--version"})) {
            Run r = run(args);
            assertThat(r.exitCode()).isZero();
            assertThat(r.out()).as(String.join(" ", args)).containsPattern("^botvisor \\d+\\.\\d+\\.\\d+")
                    .contains("Java " + Runtime.version());
        }
    }

    @Test
    void ctlRefusesAllTogetherWithBotIds() {
        Run r = run("ctl", "start", "--all", "drill-1");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("--all and bot ids (drill-1) together: name the bots, or --all, not both")
                .contains("Usage: botvisor ctl");
    }
}

package io.botvisor.supervisor.cli;

import io.botvisor.ipc.Units;
import io.botvisor.supervisor.control.ControlClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code botvisor ctl}: one control request to a running supervisor, its reply printed; exit code as the reply's. */
@Command(name = "ctl", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = LogsCommand.class,
        description = "Talk to a running supervisor: status [--json] [BOT…], start|stop|restart BOT…|--all, "
        + "reload [--dry-run] [--wait], loglevel BOT [LOGGER] LEVEL, dump BOT, shutdown; top [--once] [--sort COLUMN] "
        + "(see 'ctl top --help'). Exit codes: 0 done, 1 not done, 2 bad request or unknown bot, "
        + "3 no supervisor, 4 no reply.",
        footer = {"%nExamples:", "  botvisor ctl --state-dir /var/lib/botvisor status",
                "  botvisor ctl restart shop-1 shop-2", "  botvisor ctl stop --all", "  botvisor ctl reload --wait",
                "  botvisor ctl loglevel shop-1 com.example DEBUG", "  botvisor ctl dump shop-1"})
final class Ctl implements Callable<Integer> {
    /** The commands, for shell completion. */
    static final class Commands extends ArrayList<String> {
        Commands() {
            super(List.of("status", "start", "stop", "restart", "reload", "loglevel", "dump", "shutdown", "top"));
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--state-dir", defaultValue = "state", paramLabel = "DIR",
            description = "State dir of the supervisor (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "How long to wait for the reply (default: ${DEFAULT-VALUE}).")
    String timeout;

    // Optional for picocli, which would otherwise ask for it before a subcommand (logs); required in call().
    @Parameters(index = "0", arity = "0..1", paramLabel = "COMMAND", completionCandidates = Commands.class,
            description = "status, start, stop, restart, reload, loglevel, dump or shutdown")
    String command;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "BOT",
            description = "bot ids (loglevel: BOT [LOGGER] LEVEL)")
    List<String> args = new ArrayList<>();

    @Option(names = "--all", description = "start, stop or restart every bot")
    boolean all;

    @Option(names = "--cold", description = "restart: stop, then start (a Telegram bot otherwise hands over to its new "
            + "process without a gap)")
    boolean cold;

    @Option(names = "--json", description = "status as one JSON object")
    boolean json;

    @Option(names = "--dry-run", description = "reload: print what would change, change nothing")
    boolean dryRun;

    @Option(names = "--wait", description = "reload: reply once every bot added or changed runs and every bot "
            + "removed is gone")
    boolean await;

    @Override
    public Integer call() {
        if (command == null) {
            // As any other usage error: exit 2 with the reason and the usage on stderr.
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing command (status, start, stop, "
                    + "restart, reload, shutdown, loglevel, dump or logs)");
        }
        Duration t;
        try {
            t = Units.duration(timeout);
        } catch (IllegalArgumentException e) {
            System.err.println("botvisor ctl: --timeout " + e.getMessage());
            return 2;
        }
        if (all && !args.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--all and bot ids (" + String.join(", ",
                    args) + ") together: name the bots, or --all, not both");
        }
        List<String> sent = new ArrayList<>(args);
        if (all) {
            sent.add("--all");
        }
        if (cold) {
            if (!command.equals("restart")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--cold is an option of restart only");
            }
            sent.add("--cold");
        }
        if (json) {
            sent.add("--json");
        }
        if (dryRun) {
            sent.add("--dry-run");
        }
        if (await) {
            sent.add("--wait");
        }
        ControlClient.Result r = ControlClient.send(stateDir.toAbsolutePath().normalize(), command, sent, t);
        (r.exitCode() == 0 ? System.out : System.err).println(r.output().stripTrailing());
        return r.exitCode();
    }
}

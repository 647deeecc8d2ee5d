package io.botvisor.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/chaos}: rehearses failures on a fleet of Telegram bots and prints a verdict (README, "Rehearsing
 * failures: scripts/chaos"). Exit 0 when every check held, 1 when one did not, 2 for a bad command line or a run that
 * could not be set up.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = "Runs a fleet of Telegram echo bots under botvisor against the sandbox with injected faults and "
                + "a steady stream of user messages, while killing, stopping, restarting and reloading bots, killing "
                + "and stopping the embedded PostgreSQL and killing the supervisor; then checks from the outside that "
                + "nothing was lost, nothing handled twice, order kept, no two pollers, no 429 window violated, every "
                + "bot RUNNING and no memory growing. Exit 0 only if all hold.")
public final class Main implements Callable<Integer> {

    @Option(names = "--bots", defaultValue = "10", paramLabel = "N", description = "echo bots in the fleet (default 10)")
    int bots;

    @Option(names = "--duration", defaultValue = "10m", paramLabel = "DURATION",
            description = "how long faults and actions go on (default 10m; e.g. 90s)")
    String duration;

    @Option(names = "--seed", paramLabel = "S", description = "seed of every random choice (default: a random one, "
            + "printed; the same seed makes the same choices, not the same timing)")
    Long seed;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "the supervisor's state dir (default: a new one "
            + "under the temporary directory, kept and printed)")
    Path stateDir;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "MSG_PER_S",
            description = "user messages a second over the whole fleet (default: 2 a bot)")
    double rate;

    @Option(names = "--chats", defaultValue = "20", paramLabel = "N", description = "chats per bot (default 20)")
    int chats;

    @Option(names = "--every", defaultValue = "10s", paramLabel = "DURATION",
            description = "the mean time between two actions (default 10s)")
    String every;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        Duration d = Durations.parse("--duration", duration);
        Duration e = Durations.parse("--every", every);
        if (bots < 1 || bots > 500) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--bots " + bots + " is not within 1..500");
        }
        if (chats < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--chats " + chats + " is below 1");
        }
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        Path dir = stateDir != null ? stateDir.toAbsolutePath() : Files.createTempDirectory("botvisor-chaos-");
        String home = System.getProperty("botvisor.home");
        if (home == null) {
            System.err.println("chaos: botvisor.home is not set (run it through scripts/chaos)");
            return 2;
        }
        ChaosRun.Settings settings = new ChaosRun.Settings(bots, d, s, dir, rate > 0 ? rate : 2.0 * bots, chats, e,
                Path.of(home));
        return new ChaosRun(settings, System.out).run().passed() ? 0 : 1;
    }
}

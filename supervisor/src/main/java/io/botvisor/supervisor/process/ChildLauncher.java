package io.botvisor.supervisor.process;

import io.botvisor.ipc.ChildSpec;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.isolation.Walls;
import io.botvisor.supervisor.logs.BotEvents;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteResultHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches one child for a bot with Apache Commons Exec and reports its exit. A bot-runner child gets an explicit
 * heap, the measured JVM flags and its spec file; a {@code command:} child is run as written. With walls
 * ({@link Walls}) every child runs as its bot's own user, with its limits and a parent-death signal; without, a
 * {@code command:} child still gets {@code setpriv --pdeathsig SIGKILL} so it cannot outlive a killed supervisor. The
 * command line is logged; environment values never are (they may be secrets), only their names. A child's
 * environment is an allow-list ({@link ChildEnvironment}), never the supervisor's; its HOME and TMPDIR are its own
 * directories under STATE/bots/ID. Stateless apart from settings; thread-safe (used from the launcher's thread).
 */
public final class ChildLauncher {
    private static final Logger log = LoggerFactory.getLogger(ChildLauncher.class);
    private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(10);
    private final LaunchSettings settings;
    private final Walls walls;
    /** The uids that had a process at the first {@link #sweepLeftovers} (launcher thread only). */
    private Set<Long> runningAtStart;
    private final Function<String, ChildSpec.Db> databaseAccess;
    /** The part of the supervisor's environment a child may see (read once). */
    private final Map<String, String> inherited;

    /** {@code databaseAccess} gives a bot's database access by bot id, or null (no database, or none for it). */
    public ChildLauncher(LaunchSettings settings, Walls walls, Function<String, ChildSpec.Db> databaseAccess) {
        this.settings = settings;
        this.walls = walls;
        this.databaseAccess = databaseAccess;
        this.inherited = ChildEnvironment.inherited(System.getenv());
    }

    public Path logDir(String botId) {
        return settings.stateDir().resolve("logs").resolve(botId);
    }

    /** The bot's HOME: its own directory in the state dir (bot-runner also gets it as user.home). */
    Path homeDir(String botId) {
        return walls.layout().home(botId);
    }

    /**
     * Spawns the child; {@code onExit} is called once, on a Commons Exec thread, with the exit value. Blocks (files,
     * fork, up to {@link #LAUNCH_TIMEOUT} for Commons Exec's thread): call it from {@link AsyncLauncher}'s thread.
     * Throws {@link SupervisorException} (or any unchecked exception from writing files) when it cannot launch.
     */
    public ChildProcess launch(Specs.Bot bot, long gen, IntConsumer onExit) {
        return launch(bot, gen, false, onExit);
    }

    /** {@link #launch(Specs.Bot, long, IntConsumer)}; {@code standby}: a handover's successor (ChildSpec.ENV_STANDBY). */
    public ChildProcess launch(Specs.Bot bot, long gen, boolean standby, IntConsumer onExit) {
        List<String> argv = walls.wrap(bot, bot.isCommand() ? bot.command() : runnerArgv(bot));
        Map<String, String> botvisor = new HashMap<>();
        botvisor.put("TMPDIR", walls.layout().tmp(bot.id()).toString());
        if (!bot.isCommand()) {
            Path spec = walls.layout().runDir(bot.id()).resolve("spec.properties");
            new ChildSpec(bot.id(), gen, settings.stateDir(), bot.runner(), bot.health().heartbeatInterval(),
                    bot.config(), databaseAccess.apply(bot.id()), telegramOf(bot)).writeTo(spec);
            if (walls.isolated()) {
                try {
                    walls.layout().giveToGroup(spec, walls.uidOf(bot.id()));
                } catch (IOException e) {
                    throw new SupervisorException("bot '" + bot.id() + "': cannot give it its spec " + spec + ": " + e,
                            e);
                }
            }
            botvisor.put(ChildSpec.ENV_SPEC, spec.toString());
            if (standby) {
                botvisor.put(ChildSpec.ENV_STANDBY, "1");
            }
        }
        Path home = homeDir(bot.id());
        try {
            // Made at start (Walls.prepare); made again if someone removed them since.
            if (!Files.isDirectory(home) || !Files.isDirectory(walls.layout().tmp(bot.id()))) {
                walls.prepareOne(bot);
            }
        } catch (RuntimeException e) {
            throw new SupervisorException("bot '" + bot.id() + "': cannot create its home " + home + ": " + e, e);
        }
        Map<String, String> env = ChildEnvironment.of(inherited, home, bot.env(), botvisor);
        CommandLine cl = new CommandLine(argv.get(0));
        for (String a : argv.subList(1, argv.size())) {
            cl.addArgument(a, false);
        }
        CompletableFuture<Process> process = new CompletableFuture<>();
        ChildStreams streams;
        try {
            Path dir = logDir(bot.id());
            streams = new ChildStreams(bot.id(),
                    new RotatingFileOutputStream(dir.resolve("stdout.log"), bot.logs().maxFileBytes(), bot.logs().maxFiles()),
                    new RotatingFileOutputStream(dir.resolve("stderr.log"), bot.logs().maxFileBytes(), bot.logs().maxFiles()),
                    bot.logs().timestamps());
        } catch (IOException e) {
            throw new SupervisorException("bot '" + bot.id() + "': cannot open its log files: " + e, e);
        }
        @SuppressWarnings("deprecation")
        DefaultExecutor executor = new DefaultExecutor() {
            @Override
            protected Process launch(CommandLine command, Map<String, String> environment, Path dir)
                    throws IOException {
                try {
                    Process p = super.launch(command, environment, dir);
                    process.complete(p);
                    return new PumpedProcess(p);
                } catch (IOException | RuntimeException e) {
                    process.completeExceptionally(e);
                    throw e;
                }
            }
        };
        executor.setExitValues(null);
        executor.setStreamHandler(streams);
        try {
            executor.execute(cl, env, new ExecuteResultHandler() {
                @Override
                public void onProcessComplete(int exitValue) {
                    onExit.accept(exitValue);
                }

                @Override
                public void onProcessFailed(ExecuteException e) {
                    onExit.accept(e.getExitValue());
                }
            });
        } catch (IOException e) {
            throw new SupervisorException("bot '" + bot.id() + "': cannot launch " + argv.get(0) + ": " + e, e);
        }
        Process p;
        try {
            // Commons Exec forks on its own thread; a fork takes milliseconds, so waiting here is bounded. This runs
            // on the launcher's own thread (AsyncLauncher), never on the supervisor's loop.
            p = process.get(LAUNCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            streams.stop();
            throw new SupervisorException("bot '" + bot.id() + "': cannot launch " + argv.get(0) + ": "
                    + e.getCause(), e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            // A process that shows up after we gave up on it would run unsupervised: kill it when it does.
            process.thenAccept(late -> {
                log.warn(BotEvents.of(bot.id()), "bot '{}': {} started after the launch was given up (pid {}); "
                        + "killing it", bot.id(), argv.get(0), late.pid());
                ProcessTree.kill(late.toHandle(), ProcessTree.snapshot(late.toHandle()));
                streams.stop();
            });
            throw new SupervisorException("bot '" + bot.id() + "': " + argv.get(0) + " did not start within "
                    + LAUNCH_TIMEOUT.toSeconds() + " s", e);
        }
        // Logged after the fork, not before: a restart's fork waits for nothing but the launch itself.
        log.info(BotEvents.of(bot.id()), "bot '{}' launched (gen {}, pid {}): {} [env: {}]", bot.id(), gen, p.pid(),
                bot.isCommand() ? String.join(" ", argv) : ownFlags(bot),
                String.join(",", new java.util.TreeSet<>(bot.env().keySet())));
        log.debug("bot '{}' (pid {}) command line: {}", bot.id(), p.pid(), String.join(" ", argv));
        return new ChildProcess(p.toHandle(), gen, streams);
    }

    /**
     * Kills every process the bot's uid still has (with walls; a no-op without). Blocks up to a few seconds: call it
     * from the launcher's thread, where it is ordered before the bot's next launch.
     */
    public void sweep(String botId) {
        sweep(botId, walls.sweep(botId));
    }

    /**
     * {@link #sweep} before a bot's first launch since start, only when its uid has a process now: one pass over
     * {@code /proc} (at the first call) instead of a fork and an exec for each bot of a fleet. Launcher thread only.
     */
    public void sweepLeftovers(String botId) {
        if (!walls.isolated()) {
            return;
        }
        if (runningAtStart == null) {
            runningAtStart = Walls.uidsRunning(Path.of("/proc"));
        }
        if (walls.hasProcesses(botId, runningAtStart)) {
            log.info(BotEvents.of(botId), "bot '{}': its uid has processes left from before; killing them", botId);
            sweep(botId);
        }
    }

    private void sweep(String botId, List<String> cmd) {
        if (cmd == null) {
            return;
        }
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.warn("bot '{}': sweeping its uid's processes did not finish within 5 s", botId);
            }
        } catch (IOException e) {
            log.warn("bot '{}': cannot sweep its uid's processes: {}", botId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What sets a bot-runner child's command line apart from every other's: its heap, its own {@code jvm.options}
     * and classpath (the flags all bots share are ~1.5 KB: at DEBUG).
     */
    private static String ownFlags(Specs.Bot bot) {
        StringBuilder b = new StringBuilder("bot-runner -Xmx").append(bot.jvm().heapBytes() / 1024).append('k');
        bot.jvm().options().forEach(o -> b.append(' ').append(o));
        if (!bot.classpath().isEmpty()) {
            b.append(" -cp +").append(String.join(File.pathSeparator, bot.classpath()));
        }
        return b.toString();
    }

    List<String> runnerArgv(Specs.Bot bot) {
        List<String> argv = new ArrayList<>();
        argv.add(settings.javaBinary().toString());
        argv.add("-Xmx" + bot.jvm().heapBytes() / 1024 + "k");
        argv.add("-Duser.home=" + homeDir(bot.id()));
        argv.add("-Djava.io.tmpdir=" + walls.layout().tmp(bot.id()));
        // A crash report holds the bot's memory: into its own home, not a world-readable file in the shared /tmp.
        argv.add("-XX:ErrorFile=" + homeDir(bot.id()).resolve("hs_err_pid%p.log"));
        argv.addAll(settings.runnerJvmFlags());
        if (bot.logs().timestamps()) {
            // The supervisor stamps each line as it arrives; bot-runner's own time would be a second one (ChildLogLine).
            // The last -D wins, so the bot's jvm.options can still turn it back on.
            argv.add("-Dbotvisor.log.time=false");
        }
        argv.addAll(bot.jvm().options());
        argv.add("-cp");
        String cp = settings.runnerClasspath();
        if (!bot.classpath().isEmpty()) {
            cp = cp + File.pathSeparator + String.join(File.pathSeparator, bot.classpath());
        }
        argv.add(cp);
        argv.add(LaunchSettings.RUNNER_MAIN);
        return argv;
    }

    /** The bot's {@code telegram:} section as the child reads it (ChildSpec). */
    static Map<String, String> telegramOf(Specs.Bot bot) {
        Specs.Telegram t = bot.telegram();
        if (t == null) {
            return Map.of();
        }
        Map<String, String> out = new HashMap<>();
        out.put("apiUrl", t.apiUrl());
        out.put("pollTimeout", io.botvisor.ipc.Units.format(t.pollTimeout()));
        out.put("allowedUpdates", String.join(",", t.allowedUpdates()));
        out.put("handlerThreads", Integer.toString(t.handlerThreads()));
        out.put("handlerTimeout", io.botvisor.ipc.Units.format(t.handlerTimeout()));
        out.put("sendLimits.perChat", t.perChat());
        out.put("sendLimits.perGroup", t.perGroup());
        out.put("sendLimits.overall", t.overall());
        out.put("uncertainSends", t.uncertainSends());
        out.put("whenDatabaseDown", t.whenDatabaseDown());
        out.put("apology", t.apology());
        out.put("journal.maxBytes", (t.journalMaxBytes() / 1024) + "k");
        return out;
    }
}

package io.botvisor.supervisor.process;

import io.botvisor.ipc.ChildSpec;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.config.Specs;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * heap, the measured JVM flags and its spec file; a {@code command:} child is run as written, under
 * {@code setpriv --pdeathsig SIGKILL} when available so it cannot outlive a killed supervisor. The command line is
 * logged; environment values never are (they may be secrets), only their names. A child's environment is an
 * allow-list ({@link ChildEnvironment}), never the supervisor's, and its HOME is its own directory under STATE/home. Stateless apart from settings;
 * thread-safe (used from the launcher's thread).
 */
public final class ChildLauncher {
    private static final Logger log = LoggerFactory.getLogger(ChildLauncher.class);
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(10);
    private final LaunchSettings settings;
    private final Function<String, ChildSpec.Db> databaseAccess;
    /** The part of the supervisor's environment a child may see (read once). */
    private final Map<String, String> inherited;

    /** {@code databaseAccess} gives a bot's database access by bot id, or null (no database, or none for it). */
    public ChildLauncher(LaunchSettings settings, Function<String, ChildSpec.Db> databaseAccess) {
        this.settings = settings;
        this.databaseAccess = databaseAccess;
        this.inherited = ChildEnvironment.inherited(System.getenv());
    }

    public Path logDir(String botId) {
        return settings.stateDir().resolve("logs").resolve(botId);
    }

    /** The bot's HOME: its own directory in the state dir (bot-runner also gets it as user.home). */
    Path homeDir(String botId) {
        return settings.stateDir().resolve("home").resolve(botId);
    }

    /**
     * Spawns the child; {@code onExit} is called once, on a Commons Exec thread, with the exit value. Blocks (files,
     * fork, up to {@link #LAUNCH_TIMEOUT} for Commons Exec's thread): call it from {@link AsyncLauncher}'s thread.
     * Throws {@link SupervisorException} (or any unchecked exception from writing files) when it cannot launch.
     */
    public ChildProcess launch(Specs.Bot bot, long gen, IntConsumer onExit) {
        List<String> argv = bot.isCommand() ? commandArgv(bot) : runnerArgv(bot);
        Map<String, String> botvisor = new HashMap<>();
        if (!bot.isCommand()) {
            Path spec = settings.stateDir().resolve("run").resolve(bot.id()).resolve("spec.properties");
            new ChildSpec(bot.id(), gen, settings.stateDir(), bot.runner(), bot.health().heartbeatInterval(),
                    bot.config(), databaseAccess.apply(bot.id())).writeTo(spec);
            botvisor.put(ChildSpec.ENV_SPEC, spec.toString());
        }
        Path home = homeDir(bot.id());
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
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
                    new RotatingFileOutputStream(dir.resolve("stderr.log"), bot.logs().maxFileBytes(), bot.logs().maxFiles()));
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
                    return p;
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
                log.warn("bot '{}': {} started after the launch was given up (pid {}); killing it", bot.id(),
                        argv.get(0), late.pid());
                ProcessTree.kill(late.toHandle(), ProcessTree.snapshot(late.toHandle()));
                streams.stop();
            });
            throw new SupervisorException("bot '" + bot.id() + "': " + argv.get(0) + " did not start within "
                    + LAUNCH_TIMEOUT.toSeconds() + " s", e);
        }
        // Logged after the fork, not before: a restart's fork waits for nothing but the launch itself.
        log.info("bot '{}' launched (gen {}, pid {}): {} [env: {}]", bot.id(), gen, p.pid(), String.join(" ", argv),
                String.join(",", new java.util.TreeSet<>(bot.env().keySet())));
        return new ChildProcess(p.toHandle(), gen, streams);
    }

    List<String> runnerArgv(Specs.Bot bot) {
        List<String> argv = new ArrayList<>();
        argv.add(settings.javaBinary().toString());
        argv.add("-Xmx" + bot.jvm().heapBytes() / 1024 + "k");
        argv.add("-Duser.home=" + homeDir(bot.id()));
        argv.addAll(settings.runnerJvmFlags());
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

    List<String> commandArgv(Specs.Bot bot) {
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(SETPRIV)) {
            argv.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "SIGKILL", "--"));
        }
        argv.addAll(bot.command());
        return argv;
    }
}

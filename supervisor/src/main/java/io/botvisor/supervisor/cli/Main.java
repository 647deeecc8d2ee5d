package io.botvisor.supervisor.cli;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.ipc.Units;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.config.FleetFileReader;
import io.botvisor.supervisor.config.InvalidFleetFileException;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.db.ConnectionBroker;
import io.botvisor.supervisor.db.DatabaseKeeper;
import io.botvisor.supervisor.isolation.Walls;
import io.botvisor.supervisor.db.FleetDatabase;
import io.botvisor.storage.BotCredentials;
import io.botvisor.ipc.ChildSpec;
import io.botvisor.supervisor.control.ControlServer;
import io.botvisor.supervisor.control.StateDirLock;
import io.botvisor.supervisor.control.StatusSource;
import io.botvisor.supervisor.metrics.MetricFiles;
import io.botvisor.supervisor.core.Supervisor;
import io.botvisor.supervisor.reload.Reconfigure;
import io.botvisor.supervisor.reload.Reloader;
import io.botvisor.supervisor.process.AsyncLauncher;
import io.botvisor.supervisor.process.ChildLauncher;
import io.botvisor.supervisor.process.ClassDataArchive;
import io.botvisor.supervisor.process.LaunchSettings;
import io.botvisor.supervisor.systemd.SdNotify;
import io.botvisor.supervisor.systemd.SystemdNotifier;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code botvisor run} and {@code botvisor ctl …}. The only place that reads the environment: the launcher script
 * passes bot-runner's classpath in {@code BOTVISOR_RUNNER_CLASSPATH}.
 */
@Command(name = "botvisor", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {Main.Run.class, Ctl.class, DbCommand.class, Completion.class},
        description = "Supervises a fleet of chat bots, one JVM each.",
        footer = {"%nExamples:", "  botvisor run --config /etc/botvisor/fleet.yaml --state-dir /var/lib/botvisor",
                "  botvisor ctl --state-dir /var/lib/botvisor status", "  botvisor db status",
                "%nExit codes: 0 done, 1 failed, 2 bad command line or input (usage on stderr)."})
public final class Main implements Callable<Integer> {
    static final String ENV_RUNNER_CLASSPATH = "BOTVISOR_RUNNER_CLASSPATH";
    /** Tests only (docs/systemd.md): once this file exists, the supervisor's loop stalls, so its watchdog pings stop. */
    static final String ENV_TEST_STALL_LOOP_FILE = "BOTVISOR_TEST_STALL_LOOP_FILE";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Integer shortcut = CtlShortcuts.run(args); // a plain ctl status without picocli (CtlShortcuts)
        if (shortcut != null) {
            System.exit(shortcut);
        }
        if (args.length > 0 && args[0].equals("db")) {
            System.setProperty(LogSetup.STDERR_PROPERTY, "true"); // before the first logger exists
        }
        Route route = route(args);
        int code = route.commandLine().execute(route.args());
        LogSetup.flush();
        System.exit(code);
    }

    /** The command line that runs {@code args}, and the arguments it is given. */
    record Route(CommandLine commandLine, String[] args) {
    }

    /**
     * Which command line {@link #main} executes {@code args} with (also what the README's synopses are checked
     * against): every dispatch of main belongs here.
     */
    static Route route(String[] args) {
        if (TopCommand.handles(args)) { // ctl [--state-dir DIR] top …: options and a loop of its own
            return new Route(TopCommand.commandLine(System.getenv()), TopCommand.ownArgs(args));
        }
        if (args.length > 0 && args[0].equals("ctl")) {
            // ctl is a fresh JVM per command: picocli then models only this command, not the whole tree (whose
            // annotations it would read reflectively first). Same options, same help, same exit codes.
            return new Route(new CommandLine(new Ctl()).setCommandName("botvisor ctl"),
                    java.util.Arrays.copyOfRange(args, 1, args.length));
        }
        return new Route(new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true), args);
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command (run, ctl, db or completion)");
    }

    @Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Run the supervisor in the foreground until SIGTERM, Ctrl-C or 'ctl shutdown'.",
            footer = {"%nExample:", "  botvisor run --config /etc/botvisor/fleet.yaml --state-dir /var/lib/botvisor"})
    static final class Run implements Callable<Integer> {
        private static final Logger log = LoggerFactory.getLogger(Run.class);

        @Option(names = "--config", defaultValue = "fleet.yaml", description = "Fleet file (default: ${DEFAULT-VALUE}).")
        Path config;

        // Under systemd, StateDirectory= sets STATE_DIRECTORY (scripts/systemd/botvisor.service).
        @Option(names = "--state-dir", defaultValue = "${env:STATE_DIRECTORY:-state}",
                description = "Where queues, logs and the lock live (default: $STATE_DIRECTORY, else ./state; now "
                        + "${DEFAULT-VALUE}).")
        Path stateDir;

        @Option(names = "--no-class-sharing",
                description = "Start bot-runner children without the class-data archive (slower starts; for "
                        + "troubleshooting and benchmarks).")
        boolean noClassSharing;

        @Override
        public Integer call() throws Exception {
            LogSetup.writeInBackground();
            String missing = FleetFiles.missing(config, "botvisor run --config examples/fleet.yaml");
            if (missing != null) {
                System.err.println("botvisor: " + missing);
                System.err.println("botvisor: nothing was started");
                return 2;
            }
            Specs.Fleet fleet;
            try {
                fleet = FleetFileReader.read(config, System.getenv());
            } catch (InvalidFleetFileException e) {
                System.err.println("botvisor: " + e.getMessage());
                System.err.println("botvisor: nothing was started");
                return 2;
            }
            String runnerCp = System.getenv(ENV_RUNNER_CLASSPATH);
            if (runnerCp == null || runnerCp.isBlank()) {
                System.err.println("botvisor: " + ENV_RUNNER_CLASSPATH + " is not set; start the supervisor with "
                        + "scripts/botvisor, which sets it");
                return 2;
            }
            Path state = stateDir.toAbsolutePath().normalize();
            // Taken before the lock: a ctl that sees the lock held may write its request at once, and a request
            // stamped before this instant is skipped as meant for an earlier supervisor (CI caught the race when the
            // instant was read after the lock).
            long startedAtMillis = System.currentTimeMillis();
            StateDirLock lock;
            try {
                lock = StateDirLock.acquire(state);
            } catch (SupervisorException e) {
                System.err.println("botvisor: " + e.getMessage());
                return 1;
            }
            rememberFleetFile(state);
            try (lock) {
                try {
                    LogSetup.toFiles(state.resolve("logs"));
                } catch (SupervisorException e) {
                    System.err.println("botvisor: " + e.getMessage());
                    return 1;
                }
                return runLocked(fleet, state, runnerCp, startedAtMillis);
            }
        }

        /**
         * Everything after the state-dir lock. A failure to start (class-data archive aside, which falls back) — queues,
         * database, the bots' queues — is one line naming what failed and exit 1, with whatever was started stopped
         * again: never a half-started daemon.
         */
        private int runLocked(Specs.Fleet fleet, Path state, String runnerCp, long startedAtMillis)
                throws InterruptedException {
            SystemdNotifier systemd = SystemdNotifier.start(
                    SdNotify.fromEnvironment(System.getenv(), ProcessHandle.current().pid()));
            LaunchSettings base = new LaunchSettings(
                    Path.of(System.getProperty("java.home"), "bin", "java"), runnerCp,
                    LaunchSettings.defaultRunnerFlags(LaunchSettings.chronicleFlags()), state);
            LaunchSettings settings = noClassSharing || fleet.bots().stream().allMatch(Specs.Bot::isCommand) ? base
                    : ClassDataArchive.prepare(base)
                            .map(a -> base.withRunnerFlag("-XX:SharedArchiveFile=" + a)).orElse(base);
            IpcLayout layout = new IpcLayout(state);
            List<AutoCloseable> started = new ArrayList<>();
            ControlServer control;
            Supervisor supervisor;
            Runnable afterLastBot;
            try {
                FleetDatabase database = openDatabase(fleet, state);
                if (database != null) {
                    started.add(0, database);
                }
                // Concurrent: a reload adds bots' access (on its thread) that the launcher reads (on its own).
                Map<String, ChildSpec.Db> access = new java.util.concurrent.ConcurrentHashMap<>(
                        database == null ? Map.of() : registerBots(fleet, database));
                DatabaseKeeper keeper = database == null ? null : new DatabaseKeeper(database);
                if (keeper != null) {
                    started.add(0, keeper);
                }
                Walls walls = Walls.decide(fleet, state, settings.botsRead());
                started.add(0, walls); // its uid claims go after the last bot stopped
                walls.prepare(fleet.bots());
                if (walls.isolated()) {
                    log.info("isolation: {}", walls.describe());
                }
                supervisor = new Supervisor(fleet, new AsyncLauncher(new ChildLauncher(settings, walls, access::get),
                        fleet.bots().size() + 1024), layout, Clock.systemUTC(), System::nanoTime);
                Reloader.Database reloadDb = null;
                if (keeper != null) {
                    Map<String, String> roles = new java.util.TreeMap<>();
                    access.forEach((bot, db) -> roles.put(bot, db.user()));
                    ConnectionBroker broker = new ConnectionBroker(database.budget(), database.spec().pools(), roles,
                            keeper::setConnectionLimit, supervisor::execute, System::nanoTime);
                    supervisor.lendConnections(broker);
                    reloadDb = new Reloader.Database(database, broker, keeper, access);
                }
                control = new ControlServer(supervisor, layout, () -> {
                    systemd.stopping("ctl shutdown");
                    supervisor.shutdown("ctl shutdown");
                }, keeper, walls, startedAtMillis);
                started.add(0, control);
                Reloader reloader = new Reloader(fleet, System.getenv(), supervisor, walls, reloadDb,
                        Reconfigure.through(supervisor), new Reloader.Notices() {
                            @Override
                            public void reloading() {
                                systemd.reloading();
                            }

                            @Override
                            public void reloaded() {
                                systemd.reloaded();
                            }
                        });
                started.add(0, reloader);
                control.reloadWith(reloader);
                reloadOnSighup(reloader);
                MetricFiles metrics = MetricFiles.open(fleet.metrics(), walls.layout(), supervisor,
                        new StatusSource(supervisor, keeper, walls));
                if (metrics != null) {
                    started.add(0, metrics);
                }
                if (keeper != null) {
                    keeper.start();
                }
                log.info("botvisor supervisor pid {} with fleet {} and state dir {}", ProcessHandle.current().pid(),
                        config, state);
                String stall = System.getenv(ENV_TEST_STALL_LOOP_FILE);
                systemd.watch(supervisor, keeper == null ? null : keeper::status,
                        stall == null || stall.isEmpty() ? null : Path.of(stall));
                supervisor.start();
                if (metrics != null) {
                    metrics.start();
                }
                // After the last bot stopped, on either way out (ctl shutdown, or SIGTERM whose hook halts the JVM).
                afterLastBot = once(() -> started.stream().filter(c -> !(c instanceof ControlServer))
                        .forEach(Run::closeQuietly));
            } catch (RuntimeException e) {
                log.error("botvisor could not start: {}", e.getMessage(), e);
                System.err.println("botvisor: cannot start: " + e.getMessage());
                System.err.println("botvisor: no bot was started");
                started.forEach(Run::closeQuietly);
                return 1;
            }
            Duration longestStop = fleet.bots().stream().map(Specs.Bot::stopTimeout)
                    .max(Duration::compareTo).orElse(Duration.ZERO).plusSeconds(5);
            StopSignals signals = StopSignals.install();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                String why = signals.reason("JVM shutdown");
                systemd.stopping(why);
                supervisor.shutdown(why);
                boolean clean = false;
                try {
                    clean = supervisor.awaitTermination(longestStop.plusSeconds(5));
                    if (!clean) {
                        log.error("bots did not stop within {}; exiting anyway", Units.seconds(longestStop));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                afterLastBot.run();
                LogSetup.flush();
                // A JVM ended by SIGTERM (SIGINT) reports 143 (130); an orderly stop of the fleet is a success (0).
                Runtime.getRuntime().halt(clean ? 0 : 1);
            }, "botvisor-sigterm"));
            supervisor.awaitTermination();
            afterLastBot.run();
            control.close();
            return 0;
        }

        /**
         * SIGHUP rereads the fleet file, as {@code ctl reload} does (its result is logged). Without a handler the JVM
         * would exit 129 on it.
         */
        private static void reloadOnSighup(Reloader reloader) {
            sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                long now = System.currentTimeMillis();
                reloader.request(new Reloader.Request("SIGHUP", "sighup-" + now, false, false, now + 60_000),
                        result -> { });
            });
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                // The JVM keeps a signal ignored at its start ignored (nohup does that): no handler was installed.
                log.warn("SIGHUP is ignored by this process (started under nohup, or by a parent that ignores it): it "
                        + "will not reload the fleet file; use 'botvisor ctl reload'");
            }
        }

        /** For 'botvisor db' without --config (FleetFiles); without it those need --config, nothing else changes. */
        private void rememberFleetFile(Path state) {
            try {
                FleetFiles.remember(state, config);
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("cannot record the fleet file in {}: {}; 'botvisor db' commands will need --config",
                        state.resolve(FleetFiles.MEMO), e.toString());
            }
        }

        private static void closeQuietly(AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("while stopping: closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }

        /** The fleet's database, ready (started, migrated, checked), or null when the fleet has none. */
        private static FleetDatabase openDatabase(Specs.Fleet fleet, Path state) {
            long runners = fleet.bots().stream().filter(b -> !b.isCommand()).count();
            if (!fleet.database().enabled() || runners == 0) {
                return null;
            }
            return FleetDatabase.open(fleet.database(), state, (int) runners, System.getenv());
        }

        /**
         * Registers every bot-runner bot (role, password file, connection limit of the guaranteed one) and says how
         * each connects; pools grow from there (ConnectionBroker).
         */
        private static Map<String, ChildSpec.Db> registerBots(Specs.Fleet fleet, FleetDatabase database) {
            List<Specs.Bot> runners = fleet.bots().stream().filter(b -> !b.isCommand()).toList();
            int one = ConnectionBroker.GUARANTEED;
            Map<String, ChildSpec.Db> access = new HashMap<>();
            for (BotCredentials c : database.registerAll(runners.stream().map(Specs.Bot::id).toList(),
                    "supervisor-start", one)) {
                access.put(c.botName(), new ChildSpec.Db(database.url(), c.role(), database.passwordFile(c.botName()),
                        one));
            }
            Specs.Pools pools = database.spec().pools();
            log.info("database: {} bots registered; budget {} connections, one guaranteed to each, pools grow to at "
                    + "most {} while others leave some", runners.size(), database.budget(), pools.maxPerBot());
            List<String> removed = database.disableRemoved(access.keySet(), "supervisor-start");
            if (!removed.isEmpty()) {
                log.info("database: roles of bots no longer in the fleet file disabled: {}", removed);
            }
            return Map.copyOf(access);
        }

        /**
         * Runs {@code r} the first time; a second caller waits until that run has finished. Both the main thread and
         * the SIGTERM hook close the database after the last bot, and the hook halts the JVM right after: had it
         * returned at once while the main thread was still stopping PostgreSQL, the halt would cut that short and
         * leave the postmaster running (seen in the benchmarks; DatabaseIT).
         */
        private static Runnable once(Runnable r) {
            return new Runnable() {
                private boolean done;

                @Override
                public synchronized void run() {
                    if (!done) {
                        done = true;
                        r.run();
                    }
                }
            };
        }
    }
}

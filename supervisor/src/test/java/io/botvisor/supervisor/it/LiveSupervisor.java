package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.supervisor.config.FleetFileReader;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.core.BotStatus;
import io.botvisor.supervisor.core.ChildCommands;
import io.botvisor.supervisor.core.Supervisor;
import io.botvisor.supervisor.isolation.Walls;
import io.botvisor.supervisor.process.AsyncLauncher;
import io.botvisor.supervisor.process.ChildLauncher;
import io.botvisor.supervisor.process.LaunchSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A real {@link Supervisor} in the test's JVM, wired as {@code botvisor run} wires it (without database, control
 * server or class-data archive), with real bot-runner children: for what only the supervisor's API reaches (the
 * reload's {@link ChildCommands#reconfigure}). Owned by one test thread; closing it stops the fleet.
 */
final class LiveSupervisor implements AutoCloseable {
    private final Path stateDir;
    private final Supervisor supervisor;
    private final Walls walls;

    private LiveSupervisor(Path stateDir, Supervisor supervisor, Walls walls) {
        this.stateDir = stateDir;
        this.supervisor = supervisor;
        this.walls = walls;
    }

    static LiveSupervisor start(Path dir, String fleetYaml) throws IOException {
        Specs.Fleet fleet = FleetFileReader.read(SupervisorProcess.writeFleet(dir, fleetYaml), Map.of());
        Path state = dir.resolve("state");
        LaunchSettings settings = new LaunchSettings(Path.of(System.getProperty("java.home"), "bin", "java"),
                SupervisorProcess.runnerClasspath(), LaunchSettings.defaultRunnerFlags(LaunchSettings.chronicleFlags()),
                state);
        Walls walls = Walls.decide(fleet, state, settings.botsRead());
        walls.prepare(fleet.bots());
        Supervisor s = new Supervisor(fleet, new AsyncLauncher(new ChildLauncher(settings, walls, b -> null),
                fleet.bots().size() + 16), new IpcLayout(state), Clock.systemUTC(), System::nanoTime);
        s.start();
        return new LiveSupervisor(state, s, walls);
    }

    /** Runs {@code call} on the supervisor's loop and waits for what it returns. */
    <T> T onLoop(Function<Supervisor, T> call) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        supervisor.execute(() -> result.complete(call.apply(supervisor)));
        return result.get(SupervisorProcess.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    /** Sends {@code call}'s command on the loop and waits for its answer. */
    ChildCommands.Answer ask(Function<ChildCommands, CompletableFuture<ChildCommands.Answer>> call) throws Exception {
        CompletableFuture<ChildCommands.Answer> answer = new CompletableFuture<>();
        supervisor.execute(() -> call.apply(supervisor.childCommands()).thenAccept(answer::complete));
        return answer.get(SupervisorProcess.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    BotStatus status(String bot) throws Exception {
        return onLoop(s -> s.status().stream().filter(b -> b.id().equals(bot)).findFirst().orElseThrow());
    }

    BotStatus awaitStatus(String bot, String description, Predicate<BotStatus> condition) throws Exception {
        long deadline = System.nanoTime() + SupervisorProcess.DEADLINE.toNanos();
        BotStatus last;
        while (!condition.test(last = status(bot))) {
            assertThat(System.nanoTime()).as("bot %s %s; last: %s", bot, description, last).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50); // polling a condition against a deadline
        }
        return last;
    }

    String botLog(String bot, String file) throws IOException {
        Path f = stateDir.resolve("logs").resolve(bot).resolve(file);
        return Files.exists(f) ? Files.readString(f) : "";
    }

    void awaitBotLog(String bot, String file, String text) throws Exception {
        long deadline = System.nanoTime() + SupervisorProcess.DEADLINE.toNanos();
        while (!botLog(bot, file).contains(text)) {
            assertThat(System.nanoTime()).as("\"%s\" in %s's %s:%n%s", text, bot, file, botLog(bot, file))
                    .isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    @Override
    public void close() throws InterruptedException {
        supervisor.shutdown("test over");
        try {
            assertThat(supervisor.awaitTermination(Duration.ofSeconds(60))).as("the fleet stopped").isTrue();
        } finally {
            walls.close();
        }
    }
}

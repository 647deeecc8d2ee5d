package io.botvisor.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.ChildSpec;
import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageReader;
import io.botvisor.ipc.MessageWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real bot-runner child JVM started the way the supervisor starts one (spec file in the environment, stdin a pipe
 * held open as the supervisor link), with the test's classpath and Chronicle flags, and the test playing the
 * supervisor on the bot's queues. Owned by one test thread.
 */
final class RunnerChild implements AutoCloseable {
    static final String BOT_ID = "child-1";
    static final long GEN = 7;
    /** A liveness bound for a slow, shared machine, not a timing expectation. */
    static final Duration DEADLINE = Duration.ofSeconds(60);

    private final Path dir;
    private final Process process;
    private final IpcQueue eventQueue;
    private final IpcQueue commandQueue;
    private final MessageReader events;
    private final MessageWriter commands;
    private final List<Message> received = new ArrayList<>();

    private RunnerChild(Path dir, Process process, IpcQueue eventQueue, IpcQueue commandQueue) {
        this.dir = dir;
        this.process = process;
        this.eventQueue = eventQueue;
        this.commandQueue = commandQueue;
        this.events = eventQueue.readerFromEnd();
        this.commands = commandQueue.writer();
    }

    static RunnerChild start(Path dir, String kind, Map<String, String> config) throws IOException {
        ChildSpec spec = new ChildSpec(BOT_ID, GEN, dir, kind, Duration.ofMillis(100), config, null);
        Path specFile = dir.resolve("spec.properties");
        spec.writeTo(specFile);
        // Open (and start reading at the end) before the child exists: everything it writes is seen.
        IpcQueue ev = IpcQueue.open(spec.layout().events(BOT_ID));
        IpcQueue cmd = IpcQueue.open(spec.layout().commands(BOT_ID));
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-Dchronicle.")) {
                argv.add(a); // the Chronicle flags surefire gave this JVM (the root pom's chronicle.jvm.flags)
            }
        }
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), RunnerMain.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        pb.environment().put(ChildSpec.ENV_SPEC, specFile.toString());
        return new RunnerChild(dir, pb.start(), ev, cmd);
    }

    /** The first message matching {@code what}, waiting for it up to {@link #DEADLINE}. */
    <T extends Message> T await(Class<T> type, Predicate<T> what, String description) {
        List<T> found = awaitAll(type, what, 1, description);
        return found.get(0);
    }

    /** The first {@code n} messages matching {@code what}, waiting for them up to {@link #DEADLINE}. */
    <T extends Message> List<T> awaitAll(Class<T> type, Predicate<T> what, int n, String description) {
        events.pollUntil(received::add, () -> matching(type, what).size() >= n, DEADLINE);
        List<T> found = matching(type, what);
        assertThat(found).as("%s from the child within %s s; it sent %s; stderr:%n%s", description,
                DEADLINE.toSeconds(), received, stderr()).hasSizeGreaterThanOrEqualTo(n);
        return found.subList(0, n);
    }

    private <T extends Message> List<T> matching(Class<T> type, Predicate<T> what) {
        return received.stream().filter(type::isInstance).map(type::cast).filter(what).toList();
    }

    Message.Event awaitEvent(String kind) {
        return await(Message.Event.class, e -> e.kind().equals(kind), "event " + kind);
    }

    /** Writes a command and rings the doorbell, as the supervisor does. */
    void send(Message command) throws IOException {
        commands.write(command);
        OutputStream link = process.getOutputStream();
        link.write(1);
        link.flush();
    }

    /** What the supervisor's death looks like to the child: its end of the child's stdin closes. */
    void closeSupervisorLink() throws IOException {
        process.getOutputStream().close();
    }

    /** The exit code, waiting up to {@code deadline} for it; fails the test if the child is still running then. */
    int awaitExit(Duration deadline) throws InterruptedException {
        boolean exited = process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(exited).as("the child exited within %s s; stderr:%n%s", deadline.toSeconds(), stderr()).isTrue();
        return process.exitValue();
    }

    Message.CommandReply awaitReply(long id) {
        return await(Message.CommandReply.class, r -> r.id() == id, "the reply to command " + id);
    }

    /** Waits up to {@link #DEADLINE} for {@code text} to appear in the child's stderr (its log lines). */
    void awaitStderr(String text) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!stderr().contains(text)) {
            assertThat(System.nanoTime()).as("\"%s\" in the child's stderr within %s s; stderr:%n%s", text,
                    DEADLINE.toSeconds(), stderr()).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(20); // polling a condition against a deadline
        }
    }

    String stdout() {
        try {
            return Files.readString(dir.resolve("stdout.log"));
        } catch (IOException e) {
            return "(stdout unreadable: " + e + ")";
        }
    }

    String stderr() {
        try {
            return Files.readString(dir.resolve("stderr.log"));
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        eventQueue.close();
        commandQueue.close();
    }
}

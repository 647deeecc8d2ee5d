package io.botvisor.runner.internal;

import io.botvisor.ipc.ChildSpec;
import io.botvisor.ipc.IpcLayout;
import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageReader;
import io.botvisor.ipc.MessageWriter;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real child life, played against ourselves, so that a JVM started with {@code -XX:ArchiveClassesAtExit} loads
 * every class a bot-runner child loads before its READY and while it heartbeats and stops: first the Telegram runtime's
 * ({@code Warmup}: its client, poller and sender against a stand-in Bot API), then spec, queues, the drill bot, READY,
 * heartbeats, STOP, exit. The supervisor runs it once per runner build and JDK; the archive it leaves behind is
 * mapped by every child afterwards (see docs/architecture.md, "Class-data sharing").
 */
final class CdsTraining {
    static final String BOT_ID = "cds-training";
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    /** Stdin of a real child is the supervisor's pipe, rung after each command; here the driver rings it. */
    private static final PipedInputStream DOORBELL_IN = new PipedInputStream();
    private static final PipedOutputStream DOORBELL;

    static {
        try {
            DOORBELL = new PipedOutputStream(DOORBELL_IN);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private CdsTraining() {
    }

    /** Runs the training life in {@code dir}; exits the JVM with 0 after a graceful STOP, or 1 past the deadline. */
    static void run(Path dir) {
        io.botvisor.runner.telegram.runtime.Warmup.run();
        ChildSpec spec = new ChildSpec(BOT_ID, 1, dir, "chaos", Duration.ofMillis(20), Map.of(), null);
        Path specFile = dir.resolve("spec.properties");
        spec.writeTo(specFile);
        ChildSpec read = ChildSpec.readFrom(specFile);
        // The runtime reads its commands read-only, as under a supervisor, where the supervisor made the queue first.
        IpcQueue.open(read.layout().commands(BOT_ID)).close();
        Thread driver = new Thread(() -> drive(read.layout()), "cds-training-driver");
        driver.setDaemon(true);
        driver.start();
        // 0 only after the bot was stopped; the runtime's own System.exit(0) on STOP may race this one, same code.
        System.exit(new ChildRuntime(read).run(DOORBELL_IN));
    }

    /** Plays the supervisor: waits for READY, sends PING, waits for two heartbeats, then sends STOP. */
    private static void drive(IpcLayout layout) {
        AtomicBoolean ready = new AtomicBoolean();
        AtomicInteger beats = new AtomicInteger();
        try (IpcQueue events = IpcQueue.open(layout.events(BOT_ID));
             IpcQueue commands = IpcQueue.open(layout.commands(BOT_ID))) {
            MessageReader reader = events.readerFromEnd();
            MessageWriter writer = commands.writer();
            Consumer<Message> sink = m -> {
                if (m instanceof Message.Ready) {
                    ready.set(true);
                } else if (m instanceof Message.Heartbeat) {
                    beats.incrementAndGet();
                }
            };
            if (!reader.pollUntil(sink, ready::get, DEADLINE)) {
                System.err.println("cds-training: no READY within " + DEADLINE.toSeconds() + " s");
                Runtime.getRuntime().halt(1);
            }
            writer.write(new Message.Ping(1, 1, System.currentTimeMillis() + 10_000, System.currentTimeMillis()));
            ring();
            reader.pollUntil(sink, () -> beats.get() >= 2, DEADLINE);
            long now = System.currentTimeMillis();
            writer.write(new Message.Stop(1, "cds training done", 5_000, now + 10_000, now));
            ring();
            // A PipedInputStream reports "write end dead" once its writer thread ends, which the runtime would take
            // for a vanished supervisor: this thread lives until the STOP ends the JVM.
            new java.util.concurrent.CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void ring() {
        try {
            DOORBELL.write(1);
            DOORBELL.flush();
        } catch (IOException e) {
            System.err.println("cds-training: doorbell: " + e);
        }
    }
}

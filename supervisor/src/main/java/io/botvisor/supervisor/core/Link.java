package io.botvisor.supervisor.core;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.MessageReader;
import io.botvisor.ipc.MessageWriter;

/**
 * One bot-runner bot's IPC: its command queue (written on the child-io thread; {@link MessageWriter} is thread-safe)
 * and its events queue (read on the loop). Opened once at start, before the loop runs, and kept across restarts;
 * the events reader starts at the end, so nothing an earlier supervisor's children wrote is replayed. The events
 * queue is the bot's (its uid owns it, with walls): the supervisor only reads it, read-only, so nothing the bot
 * plants there makes the supervisor write.
 */
final class Link implements AutoCloseable {
    private final IpcQueue commandQueue;
    private IpcQueue eventQueue;
    final MessageWriter commands;
    /** Replaced only by {@link #replaceEvents}, on the loop. */
    MessageReader events;

    Link(IpcLayout layout, String bot) {
        this.commandQueue = IpcQueue.open(layout.commands(bot));
        try {
            java.nio.file.Files.createDirectories(layout.events(bot));
            this.eventQueue = IpcQueue.openReadOnly(layout.events(bot));
        } catch (RuntimeException | java.io.IOException e) {
            commandQueue.close();
            throw new io.botvisor.ipc.IpcException("cannot open the events queue of bot '" + bot + "': " + e, e);
        }
        this.commands = commandQueue.writer();
        this.events = eventQueue.readerFromEnd();
        // The first read of a queue loads and links much of Chronicle's reading code (tens of ms): pay it here, on the
        // starting thread, not in the loop's first tick. The reader is at the end, so nothing is consumed.
        events.poll(1, m -> { });
    }

    /**
     * Reads the events queue from {@code fresh} and {@code reader} from now on (its directory was emptied and the
     * queue opened afresh: {@link EventsGuard}); returns the old queue, for the caller to close. Loop only.
     */
    IpcQueue replaceEvents(IpcQueue fresh, MessageReader reader) {
        IpcQueue old = eventQueue;
        eventQueue = fresh;
        events = reader;
        return old;
    }

    @Override
    public void close() {
        commandQueue.close();
        eventQueue.close();
    }
}

package io.botvisor.supervisor.core;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.config.Specs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a reload does to the shell's slots (see {@code io.botvisor.supervisor.reload.Reloader}): bots added (their
 * queues opened off the loop first, then taken in), given a new spec, or removed (forgotten once down). Part of
 * {@link Supervisor}: it shares its slots, links, effects and tallies, and runs on its loop except
 * {@link #openQueues}.
 */
final class FleetChanges {
    private static final Logger log = LoggerFactory.getLogger(FleetChanges.class);

    private final IpcLayout layout;
    private final Map<String, Slot> slots;
    private final Map<String, Link> links;
    private final Effects effects;
    private final Tallies tallies;
    private final LongSupplier nanos;
    private final BiConsumer<String, Event> deliver;
    /** Queues a reload opened off the loop for bots that did not have them, until the loop takes them into links. */
    private final Map<String, Link> staged = new ConcurrentHashMap<>();
    /** Bots a reload removed, until they are down; then what to do (loop only). */
    private final Map<String, Runnable> leaving = new HashMap<>();

    FleetChanges(IpcLayout layout, Map<String, Slot> slots, Map<String, Link> links, Effects effects, Tallies tallies,
                 LongSupplier nanos, BiConsumer<String, Event> deliver) {
        this.layout = layout;
        this.slots = slots;
        this.links = links;
        this.effects = effects;
        this.tallies = tallies;
        this.nanos = nanos;
        this.deliver = deliver;
    }

    /**
     * Opens the queues of {@code bots} that run bot-runner and have none yet (bots a reload adds, or turns from
     * {@code command:} into bot-runner), here on the caller's thread — any but the loop, as at the supervisor's start:
     * the loop then only takes them. Throws {@link SupervisorException} (nothing kept open) when one cannot be opened.
     */
    void openQueues(List<Specs.Bot> bots) {
        List<String> opened = new ArrayList<>();
        try {
            for (Specs.Bot b : bots) {
                if (!b.isCommand() && !staged.containsKey(b.id())) {
                    // What an earlier incarnation of a bot of this id left there is not read (see EventsGuard).
                    EventsGuard.clearAtStart(layout.events(b.id()));
                    Link link = new Link(layout, b.id());
                    staged.put(b.id(), link);
                    opened.add(b.id());
                }
            }
        } catch (RuntimeException e) {
            opened.forEach(id -> staged.remove(id).close());
            throw new SupervisorException("cannot open the queues of bots a reload adds: " + e.getMessage(), e);
        }
    }

    /** Adds a bot (a reload's): its slot, its queues from {@link #openQueues}, and a start. Loop only. */
    void addBot(Specs.Bot spec, String reason) {
        if (slots.containsKey(spec.id())) {
            throw new IllegalStateException("bot '" + spec.id() + "' is in the fleet already");
        }
        takeStaged(spec);
        slots.put(spec.id(), Slot.initial(spec, nanos.getAsLong()));
        deliver.accept(spec.id(), new Event.Control(Event.Command.START, reason));
    }

    /**
     * Gives a bot a reload's new spec (see {@link Event.Respec}): {@code restart} restarts the running bot under the
     * new one (a handover where the bot can), if it is wanted up. Loop only.
     */
    void respec(Specs.Bot spec, boolean restart, String reason) {
        takeStaged(spec);
        deliver.accept(spec.id(), new Event.Respec(spec, restart, reason));
    }

    /** Stops a bot a reload removed and forgets it once it is down; then runs {@code whenGone} (loop). Loop only. */
    void removeBot(String id, String reason, Runnable whenGone) {
        leaving.put(id, whenGone);
        // As at shutdown: down for good, so that no ctl start meanwhile brings back a bot that is leaving.
        deliver.accept(id, new Event.Shutdown(reason));
        forgetLeavers();
    }

    private void takeStaged(Specs.Bot spec) {
        Link link = staged.remove(spec.id());
        if (link != null) {
            Link old = links.put(spec.id(), link);
            if (old != null) {
                old.close();
            }
        }
    }

    /** Forgets the removed bots that are down (no process left). Loop only; after each decision that changed state. */
    void forgetLeavers() {
        for (Iterator<Map.Entry<String, Runnable>> it = leaving.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Runnable> e = it.next();
            Slot s = slots.get(e.getKey());
            if (s != null && (s.current() != null || s.successor() != null)) {
                continue;
            }
            it.remove();
            slots.remove(e.getKey());
            effects.forget(e.getKey());
            tallies.forget(e.getKey());
            Link link = links.remove(e.getKey());
            if (link != null) {
                link.close();
            }
            log.info("bot '{}' left the fleet", e.getKey());
            e.getValue().run();
        }
    }
}

package io.botvisor.supervisor.control;

import io.botvisor.supervisor.core.Supervisor;
import io.botvisor.supervisor.db.DatabaseKeeper;
import io.botvisor.supervisor.isolation.Walls;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.function.DoubleSupplier;

/**
 * Takes {@link StatusSnapshot}s of a running supervisor: its bots, database, connections, walls and its own figures.
 * The JVM's management beans are looked up once, here: their getters walk the platform's components on every call.
 * {@link #capture} runs on the supervisor's loop only; the rest is immutable.
 */
public final class StatusSource {
    /** The build's version, from a resource Maven writes ({@code unknown} when there is none). */
    public static final String VERSION = io.botvisor.supervisor.Version.of();

    private final Supervisor supervisor;
    private final DatabaseKeeper database;
    private final StatusSnapshot.Isolation isolation;
    private final long pid = ProcessHandle.current().pid();
    private final long startTimeMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
    private final String java = System.getProperty("java.runtime.version", System.getProperty("java.version"));
    private final DoubleSupplier cpuSeconds;

    /** {@code database} may be null (a fleet without one). */
    public StatusSource(Supervisor supervisor, DatabaseKeeper database, Walls walls) {
        this(supervisor, database, new StatusSnapshot.Isolation(walls.isolated(), walls.describe(), walls.warns()));
    }

    StatusSource(Supervisor supervisor, DatabaseKeeper database, StatusSnapshot.Isolation isolation) {
        this.supervisor = supervisor;
        this.database = database;
        this.isolation = isolation;
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        this.cpuSeconds = os instanceof com.sun.management.OperatingSystemMXBean sun
                ? () -> sun.getProcessCpuTime() / 1e9 : () -> -1;
    }

    /** Everything status shows, now. Loop thread only. */
    public StatusSnapshot capture() {
        return new StatusSnapshot(System.currentTimeMillis(), pid, startTimeMillis, cpuSeconds.getAsDouble(), VERSION,
                java, supervisor.lag(), isolation, supervisor.status(), database == null ? null : database.status(),
                supervisor.connections());
    }
}

package io.botvisor.supervisor.control;

import io.botvisor.supervisor.core.BotStatus;
import io.botvisor.supervisor.core.LagRecorder;
import io.botvisor.supervisor.db.ConnectionBroker;
import io.botvisor.supervisor.db.DatabaseStatus;
import java.util.List;

/**
 * Everything {@code ctl status} and the metric files show, taken at one moment on the supervisor's loop
 * ({@link StatusSource#capture}). {@code lag}, {@code isolation}, {@code database} and {@code connections} may be
 * null (none, or not asked for). Times are epoch milliseconds. Immutable.
 *
 * @param cpuSeconds the supervisor's own CPU time so far (user + system), -1 when the JVM does not say
 * @param version    botvisor's version ({@code unknown} when built without it)
 * @param java       the version of the JVM the supervisor runs on
 */
public record StatusSnapshot(long timeMillis, long pid, long startTimeMillis, double cpuSeconds, String version,
                             String java, LagRecorder.Snapshot lag, Isolation isolation, List<BotStatus> bots,
                             DatabaseStatus database, ConnectionBroker.View connections) {
    public StatusSnapshot {
        bots = List.copyOf(bots);
    }

    /** What status says of the walls between bots: whether each has its own user, and the line that says so. */
    public record Isolation(boolean users, String detail, boolean warn) {
    }

    /** The same moment, showing only {@code only} of the bots. */
    StatusSnapshot withBots(List<BotStatus> only) {
        return new StatusSnapshot(timeMillis, pid, startTimeMillis, cpuSeconds, version, java, lag, isolation, only,
                database, connections);
    }

    /**
     * Whether the fleet's database answers: the embedded server is UP, or the external one passed its last health
     * check. False when there is none.
     */
    public boolean databaseUp() {
        if (database == null) {
            return false;
        }
        return "EXTERNAL".equals(database.state()) ? database.problem() == null : "UP".equals(database.state());
    }
}

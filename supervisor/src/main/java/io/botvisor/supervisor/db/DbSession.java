package io.botvisor.supervisor.db;

import io.botvisor.storage.DbEndpoint;
import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.control.StateDirLock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database for one {@code botvisor db} command, whether or not a supervisor runs: an external server as
 * configured; the embedded server the running supervisor started; or, when no supervisor holds the state dir, the
 * embedded server started for the duration of the command (holding the state-dir lock meanwhile, so that a
 * supervisor starting then is refused rather than stopping it underneath). Single use; not thread-safe: owned by the
 * thread that opens it (the CLI's main thread, for one command).
 */
public final class DbSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DbSession.class);
    private final DbEndpoint manager;
    private final DbFiles files;
    private final EmbeddedDatabase startedHere;
    private final StateDirLock lock;

    private DbSession(DbEndpoint manager, DbFiles files, EmbeddedDatabase startedHere, StateDirLock lock) {
        this.manager = manager;
        this.files = files;
        this.startedHere = startedHere;
        this.lock = lock;
    }

    public static DbSession open(Specs.Database spec, Path stateDir, Map<String, String> env) {
        DbFiles files = DbFiles.under(stateDir);
        if (!spec.embedded()) {
            return new DbSession(FleetDatabase.externalEndpoint(spec, env), files, null, null);
        }
        if (StateDirLock.holder(stateDir).isPresent()) {
            return new DbSession(EmbeddedDatabase.running(files).orElseThrow(() -> new SupervisorException(
                    "the supervisor of " + stateDir + " is running but its embedded PostgreSQL is not up (yet); "
                            + "see its log")), files, null, null);
        }
        StateDirLock lock = StateDirLock.acquire(stateDir);
        try {
            log.info("no supervisor is running on {}: starting the embedded PostgreSQL for this command", stateDir);
            EmbeddedDatabase server = EmbeddedDatabase.start(files, spec.budget(0) + FleetDatabase.EMBEDDED_RESERVE);
            return new DbSession(server.superuser(), files, server, lock);
        } catch (RuntimeException e) {
            closeQuietly(lock);
            throw e;
        }
    }

    /** The managing role's endpoint (embedded superuser, or the external adminUser). */
    public DbEndpoint manager() {
        return manager;
    }

    public DbFiles files() {
        return files;
    }

    @Override
    public void close() {
        if (startedHere != null) {
            startedHere.close();
        }
        if (lock != null) {
            closeQuietly(lock);
        }
    }

    private static void closeQuietly(StateDirLock lock) {
        try {
            lock.close();
        } catch (IOException e) {
            log.warn("cannot release the state-dir lock: {}", e.toString());
        }
    }
}

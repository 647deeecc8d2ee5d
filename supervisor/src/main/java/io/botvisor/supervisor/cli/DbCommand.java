package io.botvisor.supervisor.cli;

import io.botvisor.ipc.Units;
import io.botvisor.storage.BotRoles;
import io.botvisor.storage.DbEndpoint;
import io.botvisor.storage.InvalidLegacyFileException;
import io.botvisor.storage.LegacyFile;
import io.botvisor.storage.LegacyImport;
import io.botvisor.storage.Migrations;
import io.botvisor.storage.StorageException;
import io.botvisor.storage.internal.Secrets;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.config.FleetFileReader;
import io.botvisor.supervisor.config.InvalidFleetFileException;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.db.DbSession;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code botvisor db …}: the schema's migrations and a way in for operators. Every command works whether or not the
 * supervisor runs (see {@link DbSession}). Exit codes: 0 done, 1 failed, 2 bad input.
 */
@Command(name = "db", mixinStandardHelpOptions = true, description = "The fleet's database: migrations, and a way in.",
        subcommands = {DbCommand.Migrate.class, DbCommand.Rollback.class, DbCommand.Status.class,
                DbCommand.Validate.class, DbCommand.Plan.class, DbCommand.Url.class, DbCommand.Psql.class,
                DbCommand.ImportJson.class})
final class DbCommand implements Callable<Integer> {

    /** Where the fleet file and state dir are; shared by every db command. */
    static final class Where {
        @Option(names = "--config", defaultValue = "fleet.yaml", description = "Fleet file (default: ${DEFAULT-VALUE}).")
        Path config;

        @Option(names = "--state-dir", defaultValue = "state", description = "State dir (default: ${DEFAULT-VALUE}).")
        Path stateDir;
    }

    /** Runs {@code body} against the fleet's database; prints errors as one line each, never a stack trace. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        Where where;

        interface Body {
            int run(DbSession db, Specs.Database spec) throws Exception;
        }

        int withDatabase(Body body) {
            Specs.Fleet fleet;
            try {
                fleet = FleetFileReader.read(where.config, System.getenv());
            } catch (InvalidFleetFileException e) {
                System.err.println("botvisor db: " + e.getMessage());
                return 2;
            }
            if (!fleet.database().enabled()) {
                System.err.println("botvisor db: " + where.config + " says database.enabled: false");
                return 2;
            }
            try (DbSession db = DbSession.open(fleet.database(), where.stateDir.toAbsolutePath().normalize(),
                    System.getenv())) {
                return body.run(db, fleet.database());
            } catch (SupervisorException | StorageException e) {
                System.err.println("botvisor db: " + e.getMessage());
                return 1;
            } catch (Exception e) {
                System.err.println("botvisor db: " + e);
                return 1;
            }
        }

        static Migrations migrations(DbSession db, Specs.Database spec) {
            return new Migrations(db.manager(), spec.hashPartitions());
        }
    }

    @Command(name = "migrate", description = "Apply every pending change.")
    static final class Migrate extends Base {
        @Override
        public Integer call() {
            return withDatabase((db, spec) -> {
                List<String> applied = migrations(db, spec).migrate();
                System.out.println(applied.isEmpty() ? "nothing to migrate" : "applied: " + String.join(", ", applied));
                return 0;
            });
        }
    }

    @Command(name = "rollback", description = "Roll back the last N applied changes (default 1), newest first.")
    static final class Rollback extends Base {
        @Parameters(index = "0", defaultValue = "1", description = "how many changes (default: ${DEFAULT-VALUE})")
        int count;

        @Override
        public Integer call() {
            if (count < 1) {
                System.err.println("botvisor db rollback: N " + count + " is out of range (expected 1 or more)");
                return 2;
            }
            return withDatabase((db, spec) -> {
                System.out.println("rolled back: " + String.join(", ", migrations(db, spec).rollback(count)));
                return 0;
            });
        }
    }

    @Command(name = "status", description = "List applied and pending changes.")
    static final class Status extends Base {
        @Override
        public Integer call() {
            return withDatabase((db, spec) -> {
                Migrations.Status s = migrations(db, spec).status();
                s.applied().forEach(id -> System.out.println("applied  " + id));
                s.pending().forEach(id -> System.out.println("pending  " + id));
                System.out.println(s.applied().size() + " applied, " + s.pending().size() + " pending");
                return 0;
            });
        }
    }

    @Command(name = "validate", description = "Check that no applied change was edited since it ran.")
    static final class Validate extends Base {
        @Override
        public Integer call() {
            return withDatabase((db, spec) -> {
                migrations(db, spec).validate();
                System.out.println("valid: every applied change matches the changelog");
                return 0;
            });
        }
    }

    @Command(name = "plan", description = "Print the SQL 'migrate' would run, without running it.")
    static final class Plan extends Base {
        @Override
        public Integer call() {
            return withDatabase((db, spec) -> {
                System.out.print(migrations(db, spec).plan());
                return 0;
            });
        }
    }

    @Command(name = "url", description = "Print the JDBC URL (no password) of the admin, or of a bot's role.")
    static final class Url extends Base {
        @Option(names = "--bot", description = "a bot id: its own role")
        String bot;

        @Override
        public Integer call() {
            return withDatabase((db, spec) -> {
                Login login = Login.of(db, bot, spec);
                System.out.println(login.endpoint().url() + (login.endpoint().url().contains("?") ? "&" : "?")
                        + "user=" + login.endpoint().user());
                if (login.passwordFile() != null) {
                    System.err.println("password: in " + login.passwordFile());
                }
                return 0;
            });
        }
    }

    @Command(name = "psql", description = "Open psql as the admin or a bot's role; arguments after -- go to psql.")
    static final class Psql extends Base {
        @Option(names = "--bot", description = "a bot id: connect as its own role (sees only its rows)")
        String bot;

        @Parameters(arity = "0..*", description = "psql arguments (after --)")
        List<String> psqlArgs = new ArrayList<>();

        @Override
        public Integer call() {
            return withDatabase((db, spec) -> {
                Path psql = findOnPath("psql");
                if (psql == null) {
                    System.err.println("botvisor db psql: psql is not installed (on Debian: apt-get install "
                            + "postgresql-client); 'botvisor db url' prints where to connect");
                    return 1;
                }
                Login login = Login.of(db, bot, spec);
                URI uri = URI.create(login.endpoint().url().substring("jdbc:".length()));
                String database = uri.getPath().substring(1);
                // The password goes to psql in a 0600 pgpass file, never in argv or the environment.
                Path pgpass = Files.createTempFile("botvisor-pgpass", "",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try {
                    Files.writeString(pgpass, "*:*:*:" + login.endpoint().user() + ":"
                            + login.endpoint().password().replace("\\", "\\\\").replace(":", "\\:") + "\n");
                    List<String> cmd = new ArrayList<>(List.of(psql.toString(), "-h", uri.getHost(), "-p",
                            Integer.toString(uri.getPort() < 0 ? 5432 : uri.getPort()), "-U", login.endpoint().user(),
                            "-d", database));
                    cmd.addAll(psqlArgs);
                    ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
                    pb.environment().put("PGPASSFILE", pgpass.toString());
                    return pb.start().waitFor();
                } finally {
                    Files.deleteIfExists(pgpass);
                }
            });
        }
    }

    @Command(name = "import-json", description = "Import a bot's state from a legacy JSON file (docs/legacy-json.md); "
            + "the whole file is validated first, then the bot is registered if needed and the file imported in one "
            + "transaction, kept only if it verifies.")
    static final class ImportJson extends Base {
        @Option(names = "--bot", required = true, description = "the bot to import into (its id)")
        String bot;

        @Option(names = "--dry-run", description = "validate and import inside a transaction that is rolled back; "
                + "registers nothing")
        boolean dryRun;

        // The default is LegacyFile.DEFAULT_MAX_BYTES: what the launcher's heap holds (see there).
        @Option(names = "--max-bytes", defaultValue = "16m", description = "refuse a larger file, before reading it "
                + "(default: ${DEFAULT-VALUE}; at most 1g; the import needs a heap of about 8 times the file: "
                + "BOTVISOR_JAVA_OPTS=-Xmx…)")
        String maxBytes;

        @Parameters(index = "0", description = "the JSON file")
        Path file;

        @Override
        public Integer call() {
            // Before anything touches the database or the file system: the id names a password file.
            if (!BotRoles.BOT_NAME.matcher(bot).matches()) {
                System.err.println("botvisor db import-json: --bot \"" + bot + "\" is not a bot id (expected "
                        + BotRoles.BOT_NAME_EXPECTED + ")");
                return 2;
            }
            long cap;
            try {
                cap = Units.bytes(maxBytes);
            } catch (IllegalArgumentException e) {
                System.err.println("botvisor db import-json: --max-bytes \"" + maxBytes + "\" is not a size "
                        + "(expected e.g. 512k, 64m, 1g)");
                return 2;
            }
            if (cap < 1 || cap > LegacyFile.MAX_BYTES_LIMIT) {
                System.err.println("botvisor db import-json: --max-bytes \"" + maxBytes + "\" is out of range "
                        + "(expected 1k to 1g)");
                return 2;
            }
            LegacyFile data;
            try {
                data = LegacyFile.read(file, cap);
            } catch (InvalidLegacyFileException e) {
                System.err.println("botvisor db import-json: " + e.getMessage());
                return 2;
            }
            return withDatabase((db, spec) -> {
                LegacyImport.Report r;
                try {
                    r = LegacyImport.run(db.manager(), db.files(), bot, data, dryRun, "import-json " + file.getFileName());
                } catch (InvalidLegacyFileException e) {
                    System.err.println("botvisor db import-json: " + e.getMessage());
                    return 2;
                }
                System.out.println(r);
                return r.verified() ? 0 : 1;
            });
        }
    }

    /** Whom to log in as: the managing role, or a registered bot's role with the password from its file. */
    record Login(DbEndpoint endpoint, Path passwordFile) {
        static Login of(DbSession db, String bot, Specs.Database spec) throws SQLException {
            if (bot == null) {
                return new Login(db.manager(), spec.embedded() ? db.files().superuserPassword() : spec.passwordFile());
            }
            String role;
            try (Connection c = db.manager().connect();
                 PreparedStatement ps = c.prepareStatement("SELECT role_name FROM botvisor.bots WHERE name = ?")) {
                ps.setString(1, bot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SupervisorException("bot '" + bot + "' is not registered in the database (it is "
                                + "registered when the supervisor first starts it)");
                    }
                    role = rs.getString(1);
                }
            }
            Path file = db.files().botPassword(bot);
            return new Login(db.manager().as(role, Secrets.read(file)), file);
        }
    }

    static Path findOnPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.err);
        return 2;
    }
}

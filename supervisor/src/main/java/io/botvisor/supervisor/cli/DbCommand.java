package io.botvisor.supervisor.cli;

import io.botvisor.ipc.Units;
import io.botvisor.storage.BotRoles;
import io.botvisor.storage.InvalidLegacyFileException;
import io.botvisor.storage.LegacyFile;
import io.botvisor.storage.LegacyImport;
import io.botvisor.storage.Migrations;
import io.botvisor.storage.StorageException;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.config.FleetFileReader;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.db.DbSession;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code botvisor db …}: the schema's migrations and a way in for operators. Every command works whether or not the
 * supervisor runs (see {@link DbSession}). {@code --config} and {@code --state-dir} go before or after the command's
 * name ({@code db --state-dir S migrate} and {@code db migrate --state-dir S}; after wins); without {@code --config}
 * the fleet file is the one the state dir's supervisor started with ({@link FleetFiles}). Exit codes: 0 done, 1
 * failed, 2 bad input or usage.
 */
@Command(name = "db", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "The fleet's database: migrations, and a way in.",
        subcommands = {DbCommand.Migrate.class, DbCommand.Rollback.class, DbCommand.Status.class,
                DbCommand.Validate.class, DbCommand.Plan.class, DbCommand.Url.class, DbCommand.Psql.class,
                DbCommand.ImportJson.class},
        footer = {"%nExamples:", "  botvisor db status",
                "  botvisor db --config /etc/botvisor/fleet.yaml --state-dir /var/lib/botvisor migrate"})
final class DbCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(DbCommand.class);
    static final Path DEFAULT_STATE_DIR = Path.of("state");

    @Mixin
    Where where;

    @Spec
    CommandSpec spec;

    /**
     * Where the fleet file and state dir are; on {@code db} and on each of its commands, so that an operator may put
     * them on either side of the command's name. No defaults here: a value given on neither level is resolved later.
     */
    static final class Where {
        @Option(names = "--config", paramLabel = "FILE", description = "Fleet file (default: the one the supervisor "
                + "of the state dir last started with, else ./fleet.yaml).")
        Path config;

        @Option(names = "--state-dir", paramLabel = "DIR", description = "State dir (default: ./state).")
        Path stateDir;
    }

    /** Runs {@code body} against the fleet's database; prints errors as one line each, never a stack trace. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        Where where;

        @ParentCommand
        DbCommand parent;

        interface Body {
            int run(DbSession db, Specs.Database spec) throws Exception;
        }

        /** The state dir: this command's {@code --state-dir}, else db's, else ./state; absolute. */
        Path stateDir() {
            Path given = where.stateDir != null ? where.stateDir
                    : parent != null && parent.where.stateDir != null ? parent.where.stateDir : DEFAULT_STATE_DIR;
            return given.toAbsolutePath().normalize();
        }

        /** This command's {@code --config}, else db's, else null. */
        Path givenConfig() {
            return where.config != null ? where.config : parent == null ? null : parent.where.config;
        }

        int withDatabase(Body body) {
            Path state = stateDir();
            Specs.Fleet fleet;
            FleetFiles.Choice config;
            try {
                config = FleetFiles.forDb(givenConfig(), state);
                log.debug("fleet file {} ({})", config.file(), config.why());
                fleet = FleetFileReader.read(config.file(), System.getenv());
            } catch (SupervisorException e) {
                System.err.println("botvisor db: " + e.getMessage());
                return 2;
            }
            if (!fleet.database().enabled()) {
                System.err.println("botvisor db: " + config.file() + " says database.enabled: false");
                return 2;
            }
            try (DbSession db = DbSession.open(fleet.database(), state, System.getenv())) {
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

    @Command(name = "migrate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Apply every pending change.",
            footer = {"%nExample:", "  botvisor db --state-dir /var/lib/botvisor migrate"})
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

    @Command(name = "rollback", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Roll back the last N applied changes (default 1), newest first.",
            footer = {"%nExample:", "  botvisor db rollback 2"})
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

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "List applied and pending changes.",
            footer = {"%nExample:", "  botvisor db --state-dir /var/lib/botvisor status"})
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

    @Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Check that no applied change was edited since it ran.",
            footer = {"%nExample:", "  botvisor db validate"})
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

    @Command(name = "plan", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Print the SQL 'migrate' would run, without running it "
            + "('nothing pending' when there is none).",
            footer = {"%nExample:", "  botvisor db plan > pending.sql"})
    static final class Plan extends Base {
        @Override
        public Integer call() {
            return withDatabase((db, spec) -> {
                Migrations m = migrations(db, spec);
                Migrations.Status s = m.status();
                if (s.pending().isEmpty()) {
                    // Liquibase's plan would be its lock and unlock statements alone (with this host's name).
                    System.out.println("nothing pending (" + s.applied().size() + " changes applied)");
                    return 0;
                }
                System.out.print(m.plan());
                return 0;
            });
        }
    }

    @Command(name = "url", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Print the JDBC URL (no password) of the admin, or of a bot's role.",
            footer = {"%nExample:", "  botvisor db url --bot shop-1"})
    static final class Url extends Base {
        @Option(names = "--bot", description = "a bot id: its own role")
        String bot;

        @Override
        public Integer call() {
            return withDatabase((db, spec) -> {
                DbLogins.Login login = DbLogins.Login.of(db, bot, spec);
                System.out.println(login.endpoint().url() + (login.endpoint().url().contains("?") ? "&" : "?")
                        + "user=" + login.endpoint().user());
                if (login.passwordFile() != null) {
                    System.err.println("password: in " + login.passwordFile());
                }
                return 0;
            });
        }
    }

    @Command(name = "psql", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Open psql as the admin, or as the admin looking as a bot (its role, so "
            + "that it sees only the bot's rows, without taking one of the bot's connections); arguments after -- go "
            + "to psql.",
            footer = {"%nExamples:", "  botvisor db psql",
                    "  botvisor db psql --bot shop-1 -- -c 'SELECT count(*) FROM botvisor.messages'"})
    static final class Psql extends Base {
        @Option(names = "--bot", paramLabel = "ID", description = "a bot id: look as its role (SET ROLE: only its "
                + "rows are visible; SET ROLE NONE returns to the admin)")
        String bot;

        @Parameters(arity = "0..*", paramLabel = "PSQL-ARGS", description = "psql arguments (after --)")
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
                // Always the admin's login: a running bot's pool holds what its role's CONNECTION LIMIT allows, so a
                // login as the bot itself would be refused ("too many connections for role"). Its role is set at
                // the session's start instead (libpq's PGOPTIONS: -c role=…, which is SET ROLE): row-level security
                // then applies as the bot, and the bot keeps all of its connections.
                DbLogins.Login login = DbLogins.Login.of(db, null, spec);
                String role = bot == null ? null : DbLogins.lookAs(login.endpoint(), DbLogins.roleOf(db, bot));
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
                    if (role != null) {
                        String options = pb.environment().getOrDefault("PGOPTIONS", "");
                        pb.environment().put("PGOPTIONS", (options.isBlank() ? "" : options + " ") + "-c role=" + role);
                        System.err.println("botvisor db psql: logged in as " + login.endpoint().user() + ", looking as "
                                + "bot '" + bot + "' (role " + role + ": only its rows are visible; SET ROLE NONE "
                                + "returns to " + login.endpoint().user() + ")");
                    }
                    return pb.start().waitFor();
                } finally {
                    Files.deleteIfExists(pgpass);
                }
            });
        }
    }

    @Command(name = "import-json", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            footer = {"%nExample:", "  botvisor db import-json --bot shop-1 --dry-run docs/examples/legacy-bot.json"},
            description = "Import a bot's state from a legacy JSON file (docs/legacy-json.md); "
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
        throw new ParameterException(spec.commandLine(), "Missing command (migrate, rollback, status, validate, plan, "
                + "url, psql or import-json)");
    }
}

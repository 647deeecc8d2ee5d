package io.botvisor.storage;

import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.RanChangeSet;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

/**
 * botvisor's schema migrations (Liquibase, one SQL changelog, every change with its rollback): migrate, rollback,
 * status, validate and plan. Liquibase's own tables live in schema {@code botvisor_migrations}. The number of hash
 * partitions is fixed by the first migration and read back from the database afterwards. Liquibase's analytics
 * (on by default since 4.30) are switched off for every call. One instance per endpoint; not thread-safe.
 */
public final class Migrations {
    public static final String CHANGELOG = "io/botvisor/storage/db/changelog.sql";
    public static final String TRACKING_SCHEMA = "botvisor_migrations";
    public static final int DEFAULT_HASH_PARTITIONS = 16;
    // Liquibase logs through java.util.logging at INFO; a reference keeps the level from being garbage collected.
    private static final Logger LIQUIBASE_JUL = Logger.getLogger("liquibase");
    // Liquibase's console output ("Running Changeset", the update summary) goes to its logger instead: the supervisor's
    // stdout is its log (journald), and callers report what was applied themselves.
    private static final Map<String, Object> SCOPE = Map.of("liquibase.analytics.enabled", false,
            Scope.Attr.ui.name(), new liquibase.ui.LoggerUIService());

    static {
        LIQUIBASE_JUL.setLevel(Level.WARNING);
    }

    private final DbEndpoint endpoint;
    private final int hashPartitions;

    /**
     * The ids of the changelog's changes, in order, read from the resource itself (what {@code migrate} would apply to
     * an empty database): tests derive their expectations from it, so a new migration breaks no unrelated test.
     */
    public static java.util.List<String> changeIds() {
        try (java.io.InputStream in = Migrations.class.getClassLoader().getResourceAsStream(CHANGELOG)) {
            if (in == null) {
                throw new UnableToMigrateException("no changelog resource " + CHANGELOG + " on the classpath", null);
            }
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return java.util.regex.Pattern.compile("(?m)^--changeset\\s+[^:\\s]+:(\\S+)").matcher(text).results()
                    .map(r -> r.group(1)).toList();
        } catch (java.io.IOException e) {
            throw new UnableToMigrateException("cannot read " + CHANGELOG + ": " + e.getMessage(), e);
        }
    }

    /** Status of the changelog against a database: what ran, and what {@code migrate} would run. Immutable. */
    public record Status(List<String> applied, List<String> pending) {
    }

    /**
     * @param endpoint a role that may create roles and own the schema (the embedded superuser, or an external
     *                 admin with CREATEROLE)
     * @param hashPartitions partitions per bot-scoped table, used only by the first migration (1..256)
     */
    public Migrations(DbEndpoint endpoint, int hashPartitions) {
        if (hashPartitions < 1 || hashPartitions > 256) {
            throw new IllegalArgumentException("hashPartitions " + hashPartitions + " is out of range (expected 1..256)");
        }
        this.endpoint = endpoint;
        this.hashPartitions = hashPartitions;
    }

    /** Applies every pending change; returns their ids. Each change is one transaction. */
    public List<String> migrate() {
        return run("migrate", lb -> {
            List<String> pending = ids(lb.listUnrunChangeSets(new Contexts(), new LabelExpression()));
            lb.update(new Contexts(), new LabelExpression());
            return pending;
        });
    }

    /** Rolls back the last {@code count} applied changes, newest first; returns their ids. */
    public List<String> rollback(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("rollback count " + count + " is out of range (expected 1 or more)");
        }
        return run("rollback", lb -> {
            List<RanChangeSet> ran = lb.getDatabase().getRanChangeSetList();
            List<String> undone = new ArrayList<>(ran.subList(Math.max(0, ran.size() - count), ran.size()).stream()
                    .map(RanChangeSet::getId).toList());
            Collections.reverse(undone);
            lb.rollback(count, new Contexts(), new LabelExpression());
            return undone;
        });
    }

    public Status status() {
        return run("status", lb -> new Status(
                lb.getDatabase().getRanChangeSetList().stream().map(RanChangeSet::getId).toList(),
                ids(lb.listUnrunChangeSets(new Contexts(), new LabelExpression()))));
    }

    /** Fails, naming the change, when an applied change was edited since it ran (its checksum differs). */
    public void validate() {
        run("validate", lb -> {
            lb.validate();
            return null;
        });
    }

    /** The SQL {@code migrate} would run now, without running it. */
    public String plan() {
        return run("plan", lb -> {
            StringWriter out = new StringWriter();
            lb.update(new Contexts(), new LabelExpression(), out);
            return out.toString();
        });
    }

    private interface Action<T> {
        T apply(Liquibase lb) throws Exception;
    }

    private <T> T run(String what, Action<T> action) {
        try (Connection c = endpoint.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA IF NOT EXISTS " + TRACKING_SCHEMA);
            }
            int partitions = existingHashPartitions(c);
            return Scope.child(SCOPE, () -> {
                Database db = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
                db.setLiquibaseSchemaName(TRACKING_SCHEMA);
                Liquibase lb = new Liquibase(CHANGELOG, new ClassLoaderResourceAccessor(Migrations.class.getClassLoader()),
                        db);
                lb.setChangeLogParameter("hashPartitions", partitions);
                lb.setShowSummaryOutput(liquibase.UpdateSummaryOutputEnum.LOG);
                return action.apply(lb);
            });
        } catch (Exception e) {
            throw new UnableToMigrateException(what + " against " + endpoint + " failed: " + rootMessage(e), e);
        }
    }

    /** The partition count the first migration stored, or the configured one when the schema is not there yet. */
    private int existingHashPartitions(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('botvisor.settings') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return hashPartitions;
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT value FROM botvisor.settings WHERE name = 'hash_partitions'")) {
            return rs.next() ? Integer.parseInt(rs.getString(1)) : hashPartitions;
        }
    }

    private static List<String> ids(List<ChangeSet> sets) {
        return sets.stream().map(ChangeSet::getId).toList();
    }

    /** The exception's own message, and its root cause's when that says something more. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String top = e.getMessage() == null ? e.toString() : e.getMessage().strip();
        String deep = root.getMessage() == null ? null : root.getMessage().strip();
        return deep == null || top.contains(deep) ? top : top + " (" + deep + ")";
    }
}

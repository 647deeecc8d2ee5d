package io.botvisor.ipc;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What the supervisor tells a bot-runner child about itself, handed over as a properties file (mode 0600) whose path
 * is in the child's environment, never in argv. {@code kind} is a built-in bot type or a class name. {@code config}
 * is the bot's own configuration flattened to dotted keys; {@code telegram} is the fleet file's {@code telegram:}
 * section of the bot, checked and flattened the same way ({@code apiUrl}, {@code sendLimits.perChat}, lists joined
 * with commas). Secrets are not in here: they reach the child through its environment. Immutable.
 */
public record ChildSpec(String botId, long gen, Path stateDir, String kind, Duration heartbeatInterval,
                        Map<String, String> config, Db db, Map<String, String> telegram) {
    public static final String ENV_SPEC = "BOTVISOR_SPEC";
    /**
     * Set ("1") in the environment of a successor started for a handover restart: it warms up (token checked, pool
     * open) and says READY, but takes no work until a {@link Message.Takeover}.
     */
    public static final String ENV_STANDBY = "BOTVISOR_STANDBY";
    private static final String CONFIG_PREFIX = "config.";
    private static final String TELEGRAM_PREFIX = "telegram.";

    public ChildSpec {
        config = Map.copyOf(config);
        telegram = Map.copyOf(telegram);
    }

    /** A spec without a {@code telegram:} section (the drills, tests). */
    public ChildSpec(String botId, long gen, Path stateDir, String kind, Duration heartbeatInterval,
                     Map<String, String> config, Db db) {
        this(botId, gen, stateDir, kind, heartbeatInterval, config, db, Map.of());
    }

    /**
     * How the child reaches the fleet's database, when there is one: the URL, its own login role, the file its
     * password is in (the password is never in the spec, argv or environment) and the pool size the supervisor
     * assigned it from the fleet's connection budget.
     */
    public record Db(String url, String user, Path passwordFile, int poolSize) {
    }

    public IpcLayout layout() {
        return new IpcLayout(stateDir);
    }

    public void writeTo(Path file) {
        Properties p = new Properties();
        p.setProperty("botId", botId);
        p.setProperty("gen", Long.toString(gen));
        p.setProperty("stateDir", stateDir.toString());
        p.setProperty("kind", kind);
        p.setProperty("heartbeatIntervalMillis", Long.toString(heartbeatInterval.toMillis()));
        new TreeMap<>(config).forEach((k, v) -> p.setProperty(CONFIG_PREFIX + k, v));
        new TreeMap<>(telegram).forEach((k, v) -> p.setProperty(TELEGRAM_PREFIX + k, v));
        if (db != null) {
            p.setProperty("db.url", db.url());
            p.setProperty("db.user", db.user());
            p.setProperty("db.passwordFile", db.passwordFile().toString());
            p.setProperty("db.poolSize", Integer.toString(db.poolSize()));
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8, StandardOpenOption.WRITE)) {
                p.store(w, "botvisor child spec for " + botId);
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IpcException("cannot write child spec " + file + ": " + e.getMessage(), e);
        }
    }

    public static ChildSpec readFrom(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IpcException("cannot read child spec " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> config = new TreeMap<>();
        Map<String, String> telegram = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith(CONFIG_PREFIX)) {
                config.put(name.substring(CONFIG_PREFIX.length()), p.getProperty(name));
            } else if (name.startsWith(TELEGRAM_PREFIX)) {
                telegram.put(name.substring(TELEGRAM_PREFIX.length()), p.getProperty(name));
            }
        }
        try {
            Db db = p.getProperty("db.url") == null ? null : new Db(p.getProperty("db.url"),
                    required(p, "db.user", file), Path.of(required(p, "db.passwordFile", file)),
                    Integer.parseInt(required(p, "db.poolSize", file)));
            return new ChildSpec(required(p, "botId", file), Long.parseLong(required(p, "gen", file)),
                    Path.of(required(p, "stateDir", file)), required(p, "kind", file),
                    Duration.ofMillis(Long.parseLong(required(p, "heartbeatIntervalMillis", file))), config, db,
                    telegram);
        } catch (NumberFormatException e) {
            throw new IpcException("child spec " + file + ": " + e.getMessage(), e);
        }
    }

    private static String required(Properties p, String name, Path file) {
        String v = p.getProperty(name);
        if (v == null) {
            throw new IpcException("child spec " + file + ": property '" + name + "' is missing");
        }
        return v;
    }
}

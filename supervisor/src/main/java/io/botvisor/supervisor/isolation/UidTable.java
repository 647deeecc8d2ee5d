package io.botvisor.supervisor.isolation;

import io.botvisor.supervisor.SupervisorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which uid (and gid: the same number) each bot runs as, kept in {@code STATE/uids} ({@code bot=uid} lines) so a bot
 * keeps its uid across restarts of itself and of the supervisor: its files stay its own. A bot gets the lowest free
 * uid of the range; a bot that leaves the fleet keeps its entry, so a later bot never inherits its files. The range
 * must not hold any user or group of the host ({@code /etc/passwd}, {@code /etc/group}): checked at every start.
 * Used once, on the starting thread.
 */
public final class UidTable {
    private final Map<String, Long> byBot;

    private UidTable(Map<String, Long> byBot) {
        this.byBot = Map.copyOf(byBot);
    }

    /**
     * Loads {@code file}, gives every bot of {@code bots} a uid in [first, last] (keeping the recorded one when it is
     * still in the range) and writes the file back. Throws {@link SupervisorException} when the range holds a host
     * user or group, or has no room.
     */
    public static UidTable allocate(Path file, List<String> bots, long first, long last, Path passwd, Path group) {
        UidTable t = plan(file, bots, first, last, passwd, group);
        t.save(file);
        return t;
    }

    /** {@link #allocate} without writing the file: {@link #save} it once what depends on it agreed. */
    public static UidTable plan(Path file, List<String> bots, long first, long last, Path passwd, Path group) {
        List<String> taken = new ArrayList<>();
        taken.addAll(hostIdsIn(passwd, "user", first, last));
        taken.addAll(hostIdsIn(group, "group", first, last));
        if (!taken.isEmpty()) {
            throw new SupervisorException("supervisor.botUids " + first + "-" + last + " holds ids the host already "
                    + "uses: " + String.join(", ", taken) + " (choose a range no user or group has, e.g. the default "
                    + "1900000000-1900065535)");
        }
        Map<String, Long> recorded = read(file);
        Map<String, Long> out = new TreeMap<>();
        Set<Long> used = new HashSet<>();
        recorded.forEach((bot, uid) -> {
            if (uid >= first && uid <= last && used.add(uid)) {
                out.put(bot, uid);
            }
        });
        long next = first;
        for (String bot : bots) {
            if (out.containsKey(bot)) {
                continue;
            }
            while (next <= last && used.contains(next)) {
                next++;
            }
            if (next > last) {
                throw new SupervisorException("supervisor.botUids " + first + "-" + last + " has no free uid left for "
                        + "bot '" + bot + "' (" + out.size() + " taken, see " + file + "); widen the range");
            }
            out.put(bot, next);
            used.add(next);
        }
        return new UidTable(out);
    }

    /** Writes this table to {@code file} (atomically). */
    public void save(Path file) {
        write(file, new TreeMap<>(byBot)); // by bot, as it always was
    }

    /** Every bot's uid, by bot (the ones that left the fleet included: their files keep it). */
    public Map<String, Long> all() {
        return byBot;
    }

    /** The bot's uid (also its gid). */
    public long uidOf(String bot) {
        Long uid = byBot.get(bot);
        if (uid == null) {
            throw new IllegalArgumentException("no uid for bot '" + bot + "'");
        }
        return uid;
    }

    /** "name (id) in FILE" for each line of a passwd/group file whose id (third field) is in the range. */
    static List<String> hostIdsIn(Path file, String what, long first, long last) {
        List<String> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(":", -1);
                if (f.length > 2 && f[2].matches("\\d{1,10}")) {
                    long id = Long.parseLong(f[2]);
                    if (id >= first && id <= last) {
                        out.add(what + " " + f[0] + " (" + id + ") in " + file);
                    }
                }
            }
        } catch (IOException e) {
            throw new SupervisorException("cannot read " + file + " to check supervisor.botUids against it: " + e, e);
        }
        return out;
    }

    private static Map<String, Long> read(Path file) {
        Map<String, Long> out = new TreeMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int eq = line.indexOf('=');
                String uid = eq > 0 ? line.substring(eq + 1).trim() : "";
                if (!uid.matches("\\d{1,10}")) {
                    throw new SupervisorException(file + " line " + (i + 1) + ": \"" + line + "\" is not bot=uid "
                            + "(fix or delete the line; a bot without an entry gets a new uid)");
                }
                out.put(line.substring(0, eq).trim(), Long.parseLong(uid));
            }
        } catch (IOException e) {
            throw new SupervisorException("cannot read " + file + ": " + e, e);
        }
        return out;
    }

    private static void write(Path file, Map<String, Long> table) {
        StringBuilder sb = new StringBuilder("# bot=uid (its gid is the same number); written by botvisor, kept so "
                + "that a bot keeps its uid and its files\n");
        table.forEach((bot, uid) -> sb.append(bot).append('=').append(uid).append('\n'));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new SupervisorException("cannot write " + file + ": " + e, e);
        }
    }
}

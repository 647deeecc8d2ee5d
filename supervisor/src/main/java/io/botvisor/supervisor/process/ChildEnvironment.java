package io.botvisor.supervisor.process;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The environment a child starts with: an allow-list, not the supervisor's own. From the supervisor's environment only
 * {@code PATH}, {@code LANG}, {@code LC_*} and {@code TZ} pass; then {@code HOME} (the bot's own directory), then the
 * bot's {@code env:} and {@code secretsFile:} values, then what botvisor hands a bot-runner child. Everything else —
 * an external database's admin password ({@code BOTVISOR_DB_PASSWORD}), systemd's {@code NOTIFY_SOCKET} and
 * {@code WATCHDOG_*}, the launcher's own variables — never reaches a bot, whose code is untrusted. Stateless.
 */
public final class ChildEnvironment {
    private ChildEnvironment() {
    }

    /** What passes from the supervisor's environment. */
    public static Map<String, String> inherited(Map<String, String> supervisorEnv) {
        Map<String, String> out = new TreeMap<>();
        supervisorEnv.forEach((name, value) -> {
            if (name.equals("PATH") || name.equals("LANG") || name.equals("TZ") || name.startsWith("LC_")) {
                out.put(name, value);
            }
        });
        return out;
    }

    /** A child's whole environment: the inherited part, its HOME, the bot's own values, botvisor's. */
    static Map<String, String> of(Map<String, String> inherited, Path home, Map<String, String> botEnv,
                                  Map<String, String> botvisor) {
        Map<String, String> env = new TreeMap<>(inherited);
        env.put("HOME", home.toString());
        env.putAll(botEnv);
        env.putAll(botvisor);
        return env;
    }
}

package io.botvisor.sandbox;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who is at the other end of an open call's connection, read from Linux's {@code /proc/net/tcp} (and {@code tcp6}):
 * the JDK's HTTP server does not tell when a client hung up, so a poll parked for a process that was killed stays
 * open until something answers it. Its connection tells the truth: when the client's process dies (or closes the
 * socket) the kernel sends a FIN and the server's side leaves ESTABLISHED (CLOSE_WAIT). For a client still there, the
 * socket's inode, found under {@code /proc/PID/fd}, names its process, so two polls of one process (an abandoned
 * poll and its successor) are told from two processes. Both sides of a loopback connection are in the same table.
 * Where {@code /proc} cannot be read (not Linux, another network namespace), the answer is {@link #UNKNOWN}: the
 * caller then treats the client as there. Stateless; each call reads the tables anew. It is called only when two
 * polls of one bot overlap (a restart after a kill, a handover), outside the record's lock: walking every process's
 * descriptors takes milliseconds on a busy host.
 */
final class ClientProbe {

    /** The client is there, in process {@code pid} (0: its process could not be found). */
    record Client(boolean gone, boolean known, long pid) {
    }

    static final Client GONE = new Client(true, true, 0);
    static final Client UNKNOWN = new Client(false, false, 0);

    private static final String ESTABLISHED = "01";
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private ClientProbe() {
    }

    /** The client of the connection between the server's {@code serverPort} and the client's {@code clientPort}. */
    static Client of(int serverPort, int clientPort) {
        return of(serverPort, Set.of(clientPort)).get(clientPort);
    }

    /**
     * The clients of several connections to the server's {@code serverPort}, by their client port: the tables are read
     * once, and {@code /proc/*}{@code /fd} is walked once, until every live client's socket is found.
     */
    static Map<Integer, Client> of(int serverPort, Set<Integer> clientPorts) {
        Map<Integer, Client> out = new HashMap<>();
        if (serverPort <= 0) {
            clientPorts.forEach(p -> out.put(p, UNKNOWN));
            return out;
        }
        String server = port(serverPort);
        Map<String, Integer> byPort = new HashMap<>();
        for (int p : clientPorts) {
            if (p > 0) {
                byPort.put(port(p), p);
            } else {
                out.put(p, UNKNOWN);
            }
        }
        boolean read = false;
        Map<Integer, String> serverState = new HashMap<>();
        Map<Integer, String> clientInode = new HashMap<>();
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException | SecurityException e) {
                continue;
            }
            read = true;
            for (String line : lines) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !f[1].contains(":") || !f[2].contains(":")) {
                    continue;
                }
                String local = f[1].substring(f[1].lastIndexOf(':') + 1);
                String remote = f[2].substring(f[2].lastIndexOf(':') + 1);
                if (local.equals(server) && byPort.containsKey(remote)) {
                    serverState.put(byPort.get(remote), f[3]);
                } else if (remote.equals(server) && byPort.containsKey(local) && !f[9].equals("0")) {
                    clientInode.put(byPort.get(local), f[9]);
                }
            }
        }
        Map<String, Integer> wanted = new HashMap<>();
        for (int p : byPort.values()) {
            if (!read) {
                out.put(p, UNKNOWN);
            } else if (!ESTABLISHED.equals(serverState.get(p))) {
                out.put(p, GONE);
            } else if (clientInode.containsKey(p)) {
                wanted.put("socket:[" + clientInode.get(p) + "]", p);
            }
        }
        Map<Integer, Long> pids = pidsOf(wanted);
        for (int p : byPort.values()) {
            out.putIfAbsent(p, new Client(false, true, pids.getOrDefault(p, 0L)));
        }
        return out;
    }

    private static String port(int port) {
        return String.format(Locale.ROOT, "%04X", port);
    }

    /** The processes holding the sockets named in {@code wanted} (link text → client port); those not found: none. */
    private static Map<Integer, Long> pidsOf(Map<String, Integer> wanted) {
        Map<Integer, Long> out = new HashMap<>();
        if (wanted.isEmpty()) {
            return out;
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        Integer port = wanted.get(readLink(fd));
                        if (port != null) {
                            out.put(port, Long.parseLong(proc.getFileName().toString()));
                            if (out.size() == wanted.size()) {
                                return out;
                            }
                        }
                    }
                } catch (IOException | SecurityException e) {
                    // another user's process, or one that just exited: not ours to see
                }
            }
        } catch (IOException | SecurityException e) {
            return out;
        }
        return out;
    }

    private static String readLink(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return "";
        }
    }
}

package io.botvisor.sandbox;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Who is at the other end of an open call's connection, read from Linux's {@code /proc/net/tcp} (and {@code tcp6}):
 * the JDK's HTTP server does not tell when a client hung up, so a poll parked for a process that was killed stays
 * open until something answers it. Its connection tells the truth: when the client's process dies (or closes the
 * socket) the kernel sends a FIN and the server's side leaves ESTABLISHED (CLOSE_WAIT). For a client still there, the
 * socket's inode, found under {@code /proc/PID/fd}, names its process, so two polls of one process (an abandoned
 * poll and its successor) are told from two processes. Both sides of a loopback connection are in the same table.
 * Where {@code /proc} cannot be read (not Linux, another network namespace), the answer is {@link #UNKNOWN}: the
 * caller then treats the client as there. Stateless; each call reads the tables anew (it is called only when two
 * polls of one bot overlap, which a well-behaved fleet never makes).
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
        if (serverPort <= 0 || clientPort <= 0) {
            return UNKNOWN;
        }
        String server = port(serverPort);
        String client = port(clientPort);
        boolean read = false;
        String serverState = null;
        String clientInode = null;
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
                if (local.equals(server) && remote.equals(client)) {
                    serverState = f[3];
                } else if (local.equals(client) && remote.equals(server)) {
                    clientInode = f[9];
                }
            }
        }
        if (!read) {
            return UNKNOWN;
        }
        if (serverState == null || !serverState.equals(ESTABLISHED)) {
            return GONE;
        }
        return new Client(false, true, clientInode == null || clientInode.equals("0") ? 0 : pidOf(clientInode));
    }

    private static String port(int port) {
        return String.format(Locale.ROOT, "%04X", port);
    }

    /** The process holding socket {@code inode}, or 0 (not found, or another user's process). */
    private static long pidOf(String inode) {
        String target = "socket:[" + inode + "]";
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        if (target.equals(readLink(fd))) {
                            return Long.parseLong(proc.getFileName().toString());
                        }
                    }
                } catch (IOException | SecurityException e) {
                    // another user's process, or one that just exited: not ours to see
                }
            }
        } catch (IOException | SecurityException e) {
            return 0;
        }
        return 0;
    }

    private static String readLink(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return "";
        }
    }
}

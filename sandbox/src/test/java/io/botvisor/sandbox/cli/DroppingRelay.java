package io.botvisor.sandbox.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A TCP relay to a sandbox whose first connection loses the answer: its request reaches the sandbox (which applies
 * it), then the client's connection is closed before a byte of the answer comes back, as when a server closes a
 * keep-alive connection under a request. Later connections are relayed as they are. Owns its threads and sockets.
 */
final class DroppingRelay implements AutoCloseable {

    private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final int target;
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread acceptor;

    DroppingRelay(int targetPort) throws IOException {
        this.target = targetPort;
        this.acceptor = new Thread(this::accept, "dropping-relay");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    private void accept() {
        boolean first = true;
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(server);
                }
                if (first) {
                    first = false;
                    server.getOutputStream().write(request(client.getInputStream()));
                    server.getInputStream().read(); // the sandbox answered: it has applied the request
                    server.close();
                    client.close();
                } else {
                    pipe(client, server);
                    pipe(server, client);
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** One HTTP/1.1 request: its headers and a Content-Length body. */
    private static byte[] request(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the client closed before its request ended");
            }
            head.write(b);
        }
        int length = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        head.write(in.readNBytes(length));
        return head.toByteArray();
    }

    private static void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side closed: the relay of this connection ends
            }
        }, "dropping-relay-pipe");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}

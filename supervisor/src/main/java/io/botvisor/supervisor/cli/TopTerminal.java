package io.botvisor.supervisor.cli;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The terminal of {@code ctl top}, with plain ANSI and {@code stty} (the JDK has no raw mode): on open, the terminal's
 * settings are saved, keys are delivered one at a time without echo ({@code -icanon -echo}; Ctrl-C still raises
 * SIGINT), and the frame goes to the alternate screen with the cursor hidden; {@link #close} puts everything back,
 * once, whichever comes first of a key, Ctrl-C (a shutdown hook) or an error. Frames overwrite the previous one in
 * place (home, each line cleared then written, the rest of the screen cleared) instead of clearing the screen first,
 * which flickers over ssh. Keys are read on a daemon thread of their own; frames are drawn by the caller's thread.
 */
final class TopTerminal implements AutoCloseable {
    private static final String ESC = "\u001b[";
    private static final String ENTER = ESC + "?1049h" + ESC + "?25l";
    private static final String LEAVE = ESC + "?25h" + ESC + "?1049l";
    private static final File TTY = new File("/dev/tty");
    /** EOF of the terminal: treated as q. */
    static final int CLOSED = -1;

    private final String saved;
    private final OutputStream out = new FileOutputStream(FileDescriptor.out);
    private final BlockingQueue<Integer> keys = new ArrayBlockingQueue<>(64);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread restoreOnExit = new Thread(this::restore, "top-restore-terminal");

    private TopTerminal(String saved) {
        this.saved = saved;
    }

    /** Whether standard output is a terminal (Linux: fd 1 is a tty or a pty), not a file or a pipe. */
    static boolean stdoutIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false; // no /proc: not Linux; treated as a pipe, which only costs the live view
        }
    }

    /** Takes over the terminal; an IOException says there is none to take (no controlling terminal, no stty). */
    static TopTerminal open() throws IOException {
        TopTerminal t = new TopTerminal(stty("-g").strip());
        Runtime.getRuntime().addShutdownHook(t.restoreOnExit);
        try {
            stty("-icanon", "-echo", "min", "1", "time", "0");
            t.write(ENTER);
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        Thread reader = new Thread(t::readKeys, "top-keys");
        reader.setDaemon(true);
        reader.start();
        return t;
    }

    /** The next key within {@code timeoutMillis}, or null; {@link #CLOSED} when the terminal is gone. */
    Integer key(long timeoutMillis) throws InterruptedException {
        return keys.poll(Math.max(0, timeoutMillis), TimeUnit.MILLISECONDS);
    }

    /**
     * Rows and columns: {@code stty size} of the terminal, else {@code LINES}/{@code COLUMNS}, else 24×80. Asked
     * every frame (a resized window redraws at the next one).
     */
    static int[] size(java.util.Map<String, String> env) {
        try {
            String[] rc = stty("size").strip().split("\\s+");
            int rows = Integer.parseInt(rc[0]);
            int cols = Integer.parseInt(rc[1]);
            if (rows > 0 && cols > 0) {
                return new int[] {rows, cols};
            }
        } catch (IOException | RuntimeException e) {
            // No terminal to ask (or a size of 0, as a pty reports before its first resize): the environment says.
        }
        return new int[] {positive(env.get("LINES"), 24), positive(env.get("COLUMNS"), 80)};
    }

    private static int positive(String s, int fallback) {
        try {
            int v = Integer.parseInt(s == null ? "" : s.strip());
            return v > 0 ? v : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Draws {@code lines} over the previous frame; none may be longer than the width (the caller cut them). */
    synchronized void draw(List<String> lines) throws IOException {
        if (closed.get()) {
            return; // Ctrl-C restored the terminal while this frame was made: the main screen stays clean
        }
        StringBuilder sb = new StringBuilder(ESC + "H");
        for (int i = 0; i < lines.size(); i++) {
            // Cleared before it is written: a line as wide as the screen leaves the cursor in the last column.
            sb.append(ESC).append("2K").append(i == 2 ? ESC + "7m" + lines.get(i) + ESC + "0m" : lines.get(i));
            if (i < lines.size() - 1) {
                sb.append("\r\n");
            }
        }
        write(sb.append(ESC).append("J").toString());
    }

    private void write(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void readKeys() {
        try (InputStream in = new FileInputStream(TTY)) {
            int c;
            do {
                c = in.read();
                keys.offer(c);
            } while (c != CLOSED);
        } catch (IOException e) {
            keys.offer(CLOSED);
        }
    }

    private static String stty(String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "stty";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectInput(TTY).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        try {
            if (p.waitFor() != 0) {
                throw new IOException("stty " + String.join(" ", args) + " exited " + p.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running stty", e);
        }
        return out;
    }

    private synchronized void restore() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            write(LEAVE);
        } catch (IOException e) {
            // The terminal is gone (ssh dropped): nothing left to restore on it.
        }
        try {
            stty(saved);
        } catch (IOException e) {
            System.err.println("botvisor ctl top: could not restore the terminal (" + e.getMessage() + "); run: stty sane");
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running or ran, and restore() ran once.
        }
    }
}

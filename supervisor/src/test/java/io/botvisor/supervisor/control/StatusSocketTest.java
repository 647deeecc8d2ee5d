package io.botvisor.supervisor.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.IpcLayout;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status socket with a stand-in for the supervisor's status, run on the caller's thread as its loop. */
class StatusSocketTest {
    @TempDir
    Path state;

    private final List<List<String>> asked = new CopyOnWriteArrayList<>();
    private StatusSocket socket;

    private void serve() {
        socket = StatusSocket.listen(StatusSocket.path(new IpcLayout(state)), args -> {
            asked.add(args);
            return args.contains("nope") ? new StatusSocket.Answer(2, "unknown bot 'nope' (known: a)")
                    : new StatusSocket.Answer(0, "BOT STATE\na RUNNING\n");
        }, Runnable::run);
        assertThat(socket).isNotNull();
    }

    @AfterEach
    void close() {
        if (socket != null) {
            socket.close();
        }
    }

    @Test
    void answersWithTheExitCodeAndTheOutputOfStatus() {
        serve();
        assertThat(StatusSocket.ask(state, List.of("--json", "a")))
                .isEqualTo(new ControlClient.Result(0, "BOT STATE\na RUNNING\n"));
        assertThat(asked).containsExactly(List.of("--json", "a"));
        assertThat(StatusSocket.ask(state, List.of("nope")))
                .isEqualTo(new ControlClient.Result(2, "unknown bot 'nope' (known: a)"));
        assertThat(StatusSocket.ask(state, List.of())).isEqualTo(new ControlClient.Result(0, "BOT STATE\na RUNNING\n"));
    }

    @Test
    void noSocketIsNoAnswerSoTheCallerAsksTheQueue() {
        assertThat(StatusSocket.ask(state, List.of())).isNull();
    }

    @Test
    void aSocketNobodyListensOnIsNoAnswer() throws Exception {
        serve();
        socket.close();
        socket = null;
        Path p = StatusSocket.path(new IpcLayout(state));
        Files.createFile(p); // what a killed supervisor leaves: a file, no listener
        assertThat(StatusSocket.ask(state, List.of())).isNull();
    }

    @Test
    void aClientThatSaysNothingIsCutOffAndTheNextOneIsAnswered() throws Exception {
        serve();
        try (SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(StatusSocket.path(
                new IpcLayout(state))))) {
            // Never writes, never closes its side: served one at a time, the socket must not wait for it for ever.
            assertThat(StatusSocket.ask(state, List.of("a")))
                    .isEqualTo(new ControlClient.Result(0, "BOT STATE\na RUNNING\n"));
            assertThat(silent.read(java.nio.ByteBuffer.allocate(1))).as("cut off without an answer").isEqualTo(-1);
        }
        assertThat(asked).containsExactly(List.of("a"));
    }
}

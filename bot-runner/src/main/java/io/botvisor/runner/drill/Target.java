package io.botvisor.runner.drill;

import io.botvisor.ipc.ChildSpec;
import io.botvisor.ipc.IpcLayout;
import io.botvisor.storage.DbFiles;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the things {@link AttackBot} goes after live, derived from its own spec (the state dir) and the peer's id:
 * the layout the supervisor uses ({@link IpcLayout}, {@link DbFiles}, {@code STATE/run/ID/spec.properties},
 * {@code STATE/logs/ID}) and both places a bot's home may be ({@code STATE/home/ID}, and {@code STATE/bots/ID/home}
 * where the layout is moving). Immutable.
 */
record Target(ChildSpec own, String peer) {

    Path state() {
        return own.stateDir();
    }

    String ownId() {
        return own.botId();
    }

    DbFiles db() {
        return DbFiles.under(state());
    }

    IpcLayout ipc() {
        return own.layout();
    }

    Path peerSpec() {
        return state().resolve("run").resolve(peer).resolve("spec.properties");
    }

    /** {@code STATE/ipc/bots}: one directory per bot, named by its id. */
    Path ipcBots() {
        return state().resolve("ipc").resolve("bots");
    }

    List<Path> homes(String botId) {
        return List.of(state().resolve("home").resolve(botId), state().resolve("bots").resolve(botId).resolve("home"));
    }

    Path ownLogs() {
        return state().resolve("logs").resolve(ownId());
    }

    /** The embedded server's data directory: binary files of the server's own, holding no password in clear. */
    Path dbData() {
        return db().data();
    }

    /** {@code path} relative to the state dir, for lines that name a file without repeating the temp dir. */
    String show(Path path) {
        return path.startsWith(state()) ? "STATE/" + state().relativize(path) : path.toString();
    }
}

package io.botvisor.runner.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link AttackBot}'s attempts on files: another bot's and the supervisor's secrets and spec, the peer's home, the
 * list of bots. Confined to the attack thread.
 */
final class FileAttacks {
    private final Target target;

    FileAttacks(Target target) {
        this.target = target;
    }

    /** Reads a secret file; on success keeps its value in {@code loot} (for the logins) and says how much it read. */
    Outcome readSecret(Path file, String label, List<Loot> loot) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            // The first line, as storage reads a secret file.
            loot.add(new Loot(label, file, new String(bytes, StandardCharsets.UTF_8).lines().findFirst().orElse("")
                    .strip()));
            return Outcome.escaped("read " + bytes.length + " bytes of " + target.show(file));
        } catch (IOException | RuntimeException e) {
            return Outcome.failed(e);
        }
    }

    /** The peer's spec: its database login and password file, its config. */
    Outcome readPeerSpec() {
        Path file = target.peerSpec();
        try {
            return Outcome.escaped("read " + Files.readAllBytes(file).length + " bytes of " + target.show(file));
        } catch (IOException | RuntimeException e) {
            return Outcome.failed(e);
        }
    }

    /**
     * Creates (and removes again) a file in each place the peer's home may be. A place that does not exist is no
     * home; one that refuses is a wall.
     */
    Outcome writePeerHome() {
        List<String> refused = new ArrayList<>();
        for (Path home : target.homes(target.peer())) {
            Path probe = home.resolve(".attack-probe-" + target.ownId());
            try {
                Files.createFile(probe);
                Files.delete(probe);
                return Outcome.escaped("created and removed a file in " + target.show(home));
            } catch (NoSuchFileException e) {
                refused.add(target.show(home) + " does not exist or is hidden");
            } catch (IOException | RuntimeException e) {
                if (!Outcome.isDenial(e)) {
                    return Outcome.error(target.show(home) + ": " + Outcome.describe(e));
                }
                refused.add(target.show(home) + ": " + Outcome.describe(e));
            }
        }
        return Outcome.blocked(String.join("; ", refused));
    }

    /**
     * Lists {@code STATE/ipc/bots}. Escaped only when the listing names a bot other than this one: the names are
     * ids, no secrets, but a bot that may list them learns the fleet (the walls give the directory 0711 for this).
     */
    Outcome listBots() {
        Path dir = target.ipcBots();
        try (Stream<Path> s = Files.list(dir)) {
            List<String> others = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(target.ownId()))
                    .toList();
            return others.isEmpty() ? Outcome.blocked("the listing of " + target.show(dir) + " names no other bot")
                    : Outcome.escaped("listed " + target.show(dir) + ": " + others.size() + " other bots' ids");
        } catch (IOException | RuntimeException e) {
            return Outcome.failed(e);
        }
    }
}

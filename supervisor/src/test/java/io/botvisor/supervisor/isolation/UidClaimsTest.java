package io.botvisor.supervisor.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.botvisor.supervisor.SupervisorException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host-wide uid record between supervisors: the other supervisor is a real process of its own
 * ({@link UidClaimsHolder}), since the record's locks belong to processes.
 */
class UidClaimsTest {
    @TempDir
    Path dir;
    private final List<Process> holders = new ArrayList<>();

    @AfterEach
    void stopHolders() throws InterruptedException {
        for (Process p : holders) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Path claimsDir() {
        return dir.resolve("run/botvisor/uids");
    }

    private Path stateDir(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    /** Another supervisor, of state dir {@code state}, holding {@code uids} ("bot=uid") until it is stopped. */
    private Process holder(Path state, String... uids) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                UidClaimsHolder.class.getName(), claimsDir().toString(), state.toString()));
        cmd.addAll(List.of(uids));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        holders.add(p);
        String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertThat(first).as("the holder's first line").isEqualTo("claimed");
        return p;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(claimsDir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".uids")).toList();
        }
    }

    @Test
    void aUidAnotherRunningSupervisorGaveABotIsRefusedNamingBothBotsAndItsStateDir() throws Exception {
        Path other = stateDir("other");
        holder(other, "alpha=1900000000", "beta=1900000001");
        assertThatThrownBy(() -> UidClaims.claim(claimsDir(), stateDir("mine"), Map.of("gamma", 1900000001L)))
                .isInstanceOf(SupervisorException.class)
                .hasMessageContaining("bot 'gamma' would run as uid 1900000001, which bot 'beta' of the supervisor "
                        + "with state dir " + other.toRealPath())
                .hasMessageContaining("give each supervisor on a host its own supervisor.botUids range");
    }

    @Test
    void supervisorsWhoseBotsHaveDifferentUidsEachKeepTheirClaim() throws Exception {
        holder(stateDir("other"), "alpha=1900000000");
        try (UidClaims mine = UidClaims.claim(claimsDir(), stateDir("mine"), Map.of("gamma", 1900000001L))) {
            assertThat(files()).hasSize(2);
            assertThat(files()).anySatisfy(f -> assertThat(Files.readString(f)).endsWith("\ngamma=1900000001\n"));
        }
        assertThat(files()).as("mine went with its close, the other's stays").hasSize(1);
    }

    @Test
    void aKilledSupervisorsClaimIsRemovedAndItsUidsAreFreeAgain() throws Exception {
        Process other = holder(stateDir("other"), "alpha=1900000000");
        other.destroyForcibly();
        assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(files()).as("its file outlived it").hasSize(1);
        try (UidClaims mine = UidClaims.claim(claimsDir(), stateDir("mine"), Map.of("gamma", 1900000000L))) {
            assertThat(files()).hasSize(1);
            assertThat(Files.readString(files().get(0))).endsWith("\ngamma=1900000000\n");
        }
    }

    @Test
    void aReloadThatWouldAddAnotherSupervisorsUidChangesNothingInTheRecord() throws Exception {
        holder(stateDir("other"), "alpha=1900000000");
        try (UidClaims mine = UidClaims.claim(claimsDir(), stateDir("mine"), Map.of("gamma", 1900000001L))) {
            Path file = claimsDir().resolve(UidClaims.name(dir.resolve("mine").toRealPath()));
            String before = Files.readString(file);
            assertThatThrownBy(() -> mine.update(Map.of("gamma", 1900000001L, "delta", 1900000000L)))
                    .isInstanceOf(SupervisorException.class).hasMessageContaining("bot 'delta' would run as uid "
                            + "1900000000, which bot 'alpha'");
            assertThat(Files.readString(file)).isEqualTo(before);
            mine.update(Map.of("gamma", 1900000001L, "delta", 1900000002L));
            assertThat(Files.readString(file)).endsWith("\ndelta=1900000002\ngamma=1900000001\n");
        }
    }

    @Test
    void aSupervisorRestartedOnItsStateDirAfterAKillTakesItsOwnClaimBack() throws Exception {
        Path state = stateDir("mine");
        Process before = holder(state, "gamma=1900000000");
        before.destroyForcibly();
        assertThat(before.waitFor(30, TimeUnit.SECONDS)).isTrue();
        try (UidClaims again = UidClaims.claim(claimsDir(), state, Map.of("gamma", 1900000000L))) {
            assertThat(files()).hasSize(1);
        }
    }
}

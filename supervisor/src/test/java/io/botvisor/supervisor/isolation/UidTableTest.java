package io.botvisor.supervisor.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.botvisor.supervisor.SupervisorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UidTableTest {
    @TempDir
    Path dir;

    private Path passwd(String... lines) throws Exception {
        return Files.writeString(dir.resolve("passwd"), String.join("\n", lines) + "\n");
    }

    @Test
    void botsGetTheLowestFreeUidsAndKeepThemWhenTheFleetChanges() throws Exception {
        Path file = dir.resolve("uids");
        Path none = dir.resolve("absent");
        UidTable first = UidTable.allocate(file, List.of("a", "b"), 5000, 5009, none, none);
        assertThat(first.uidOf("a")).isEqualTo(5000);
        assertThat(first.uidOf("b")).isEqualTo(5001);
        // a leaves the fleet, c joins: b keeps its uid, c does not get a's (a's files stay a's).
        UidTable second = UidTable.allocate(file, List.of("b", "c"), 5000, 5009, none, none);
        assertThat(second.uidOf("b")).isEqualTo(5001);
        assertThat(second.uidOf("c")).isEqualTo(5002);
        assertThat(Files.readString(file)).contains("a=5000", "b=5001", "c=5002");
    }

    @Test
    void recordedUidOutsideANewRangeIsReplacedByOneInside() throws Exception {
        Path file = dir.resolve("uids");
        Path none = dir.resolve("absent");
        UidTable.allocate(file, List.of("a"), 5000, 5009, none, none);
        assertThat(UidTable.allocate(file, List.of("a"), 7000, 7009, none, none).uidOf("a")).isEqualTo(7000);
    }

    @Test
    void rangeHoldingAHostUserIsRefusedNamingTheUserAndTheFile() throws Exception {
        Path passwd = passwd("root:x:0:0:root:/root:/bin/bash", "alice:x:5003:5003::/home/alice:/bin/sh");
        assertThatThrownBy(() -> UidTable.allocate(dir.resolve("uids"), List.of("a"), 5000, 5009, passwd,
                dir.resolve("absent")))
                .isInstanceOf(SupervisorException.class)
                .hasMessageContaining("supervisor.botUids 5000-5009 holds ids the host already uses: user alice (5003) in "
                        + passwd);
        assertThat(dir.resolve("uids")).doesNotExist();
    }

    @Test
    void rangeWithoutRoomForEveryBotIsRefused() {
        Path none = dir.resolve("absent");
        assertThatThrownBy(() -> UidTable.allocate(dir.resolve("uids"), List.of("a", "b", "c"), 5000, 5001, none, none))
                .isInstanceOf(SupervisorException.class)
                .hasMessageContaining("has no free uid left for bot 'c' (2 taken");
    }

    @Test
    void damagedLineInTheTableIsRefusedWithItsLineNumber() throws Exception {
        Path file = Files.writeString(dir.resolve("uids"), "a=5000\nb=five\n");
        Path none = dir.resolve("absent");
        assertThatThrownBy(() -> UidTable.allocate(file, List.of("a"), 5000, 5009, none, none))
                .isInstanceOf(SupervisorException.class)
                .hasMessageContaining(file + " line 2: \"b=five\" is not bot=uid");
    }
}

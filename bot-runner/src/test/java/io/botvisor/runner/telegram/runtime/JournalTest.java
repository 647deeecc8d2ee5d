package io.botvisor.runner.telegram.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path root;

    private static JournalEntry.Received update(long id, Long chat) {
        return new JournalEntry.Received(id, "message", chat, "{\"update_id\":" + id + ",\"message\":{\"text\":\"é ✓\"}}",
                1_700_000_000_000L + id);
    }

    @Test
    void everyKindOfRecordReadsBackAsWritten() throws Exception {
        List<JournalEntry> written = List.of(update(1, 5L), update(2, null),
                new JournalEntry.Handled(update(1, 5L), List.of(new JournalEntry.Call(-1, 5, "sendMessage",
                        "{\"chat_id\":5,\"text\":\"hi\"}")), null),
                new JournalEntry.Handled(update(2, null), List.of(), "skipped"),
                new JournalEntry.Claimed(-1),
                new JournalEntry.Outcome(-1, "sent", 77L, null),
                new JournalEntry.Outcome(-2, "uncertain", null, "connection reset"));
        try (Journal j = Journal.create(root.resolve("a"), 1 << 20)) {
            for (JournalEntry e : written) {
                j.append(e, false);
            }
            assertThat(j.readAll()).isEqualTo(written);
        }
    }

    @Test
    void aRecordTornByACrashEndsTheReadingWithEveryWholeRecordBeforeIt() throws Exception {
        Path dir = root.resolve("a");
        try (Journal j = Journal.create(dir, 1 << 20)) {
            j.append(update(1, 5L), true);
            j.append(update(2, 5L), true);
        }
        long whole = Files.size(dir.resolve(Journal.LOG));
        try (FileChannel c = FileChannel.open(dir.resolve(Journal.LOG), StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 100, 1, 2, 3, 4, '{', '"'}), whole); // half a record
        }
        List<Journal> orphans = Journal.orphans(root, "none");
        assertThat(orphans).hasSize(1);
        try (Journal j = orphans.get(0)) {
            assertThat(j.readAll()).containsExactly(update(1, 5L), update(2, 5L));
        }
    }

    @Test
    void aRecordWhoseChecksumDoesNotMatchIsNotRead() throws Exception {
        Path dir = root.resolve("a");
        try (Journal j = Journal.create(dir, 1 << 20)) {
            j.append(update(1, 5L), true);
            j.append(update(2, 5L), true);
        }
        byte[] bytes = Files.readAllBytes(dir.resolve(Journal.LOG));
        bytes[bytes.length - 3] ^= 1;
        Files.write(dir.resolve(Journal.LOG), bytes);
        try (Journal j = Journal.orphans(root, "none").get(0)) {
            assertThat(j.readAll()).containsExactly(update(1, 5L));
        }
    }

    @Test
    void aReceivedUpdateThatWouldPassTheCapIsRefusedAndNothingIsWritten() throws Exception {
        try (Journal j = Journal.create(root.resolve("a"), 300)) {
            j.append(update(1, 5L), true);
            long size = j.sizeBytes();
            assertThatThrownBy(() -> {
                for (int i = 2; i < 10; i++) {
                    j.append(update(i, 5L), true);
                }
            }).isInstanceOf(Journal.FullException.class).hasMessageContaining("of 300 bytes");
            assertThat(j.readAll()).hasSize((int) (j.sizeBytes() / size));
            assertThat(j.sizeBytes()).isLessThanOrEqualTo(300);
        }
    }

    @Test
    void whatIsWrittenAboutUpdatesAlreadyInGoesPastTheCap() throws Exception {
        try (Journal j = Journal.create(root.resolve("a"), 200)) {
            j.append(update(1, 5L), true);
            j.append(new JournalEntry.Claimed(-1), false);
            j.append(new JournalEntry.Outcome(-1, "sent", 1L, null), false);
            j.append(new JournalEntry.Handled(update(1, 5L), List.of(), null), false);
            assertThat(j.readAll()).hasSize(4);
        }
    }

    @Test
    void aJournalWhoseOwnerLivesIsNotAnOrphan() throws Exception {
        try (Journal live = Journal.create(root.resolve("live"), 1 << 20)) {
            live.append(update(1, 5L), true);
            assertThat(Journal.orphans(root, "other")).isEmpty();
        }
        assertThat(Journal.orphans(root, "other")).hasSize(1);
    }

    @Test
    void theOwnJournalIsNotLookedAtForOrphans() throws Exception {
        try (Journal j = Journal.create(root.resolve("mine"), 1 << 20)) {
            j.append(update(1, 5L), true);
        }
        assertThat(Journal.orphans(root, "mine")).isEmpty();
    }

    @Test
    void truncatingEmptiesTheJournalAndResetsItsDepthAndAge() throws Exception {
        try (Journal j = Journal.create(root.resolve("a"), 1 << 20)) {
            j.append(update(1, 5L), true);
            assertThat(j.depth()).isEqualTo(1);
            assertThat(j.oldestMillis()).isPositive();
            j.truncate();
            assertThat(j.readAll()).isEmpty();
            assertThat(j.depth()).isZero();
            assertThat(j.oldestMillis()).isZero();
            j.append(update(2, 5L), true);
            assertThat(j.readAll()).containsExactly(update(2, 5L));
        }
    }

    @Test
    void aReplayedOrphanIsRemoved() throws Exception {
        try (Journal j = Journal.create(root.resolve("a"), 1 << 20)) {
            j.append(update(1, 5L), true);
        }
        Journal orphan = Journal.orphans(root, "none").get(0);
        orphan.delete();
        assertThat(root.resolve("a")).doesNotExist();
    }
}

package io.botvisor.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpcQueueTest {
    @TempDir
    Path dir;

    @Test
    void everyMessageTypeSurvivesTheQueueUnchanged() {
        List<Message> sent = List.of(
                new Message.Ready(7, 1234, 310, 1000),
                new Message.Ready(8, 1235, 290, true, 1000),
                new Message.Heartbeat(7, 3, 10_000, 64_000, 12, 2, 11, 450, false, "db down",
                        Map.of("updates", 5L, "errors", 1L), 1001),
                new Message.Event(7, "stopping", "asked by supervisor", 1002),
                new Message.Stop(7, "ctl stop", 10_000, 5000, 1003),
                new Message.Ping(7, 99, 5000, 1004),
                new Message.Pong(7, 99, 1005),
                new Message.PoolGrant(7, 4, 1006),
                new Message.ControlRequest("c-1", "stop", List.of("drill-1", "drill-2"), 9000, 1006),
                new Message.ControlReply("c-1", 2, "unknown bot 'x'\nsecond line", 1007),
                new Message.LogLevel(7, 11, "ROOT", "DEBUG", 5000, 1008),
                new Message.ThreadDump(7, 12, 5000, 1009),
                new Message.ReloadConfig(7, 13, Map.of("crashAfter", "5s", "a.b=c", "line\nbreak \\ ünï", "", ""),
                        5000, 1010),
                new Message.CommandReply(7, 12, Message.CommandReply.OK, "\"main\" #1\n    at x.y(Z.java:1)\n", 1011),
                new Message.Handover(7, 10_000, 5000, 1012),
                new Message.HandedOver(7, 523_337_288L, 1013),
                new Message.Takeover(8, 523_337_288L, true, 5000, 1014));
        List<Message> received = new ArrayList<>();
        try (IpcQueue q = IpcQueue.open(dir)) {
            MessageReader reader = q.readerFromEnd();
            MessageWriter writer = q.writer();
            sent.forEach(writer::write);
            reader.poll(100, received::add);
        }
        assertThat(received).containsExactlyElementsOf(sent);
    }

    @Test
    void theLargestReplyOfThreeByteCharactersPassesTheReaderCapForWhatABotWrites() {
        Message.CommandReply big = new Message.CommandReply(7, 1, Message.CommandReply.OK, "€".repeat(100_000), 1);
        assertThat(big.detail()).hasSize(Message.MAX_REPLY);
        List<Message> received = new ArrayList<>();
        try (IpcQueue q = IpcQueue.open(dir)) {
            MessageReader reader = q.readerFromEnd(MessageReader.UNTRUSTED_MAX_BYTES);
            q.writer().write(big);
            reader.poll(10, received::add);
            assertThat(reader.skipped()).isZero();
        }
        assertThat(received).containsExactly(big);
    }

    @Test
    void readerOpenedLaterNeverSeesEarlierMessages() {
        List<Message> received = new ArrayList<>();
        try (IpcQueue q = IpcQueue.open(dir)) {
            q.writer().write(new Message.Ping(1, 1, 0, 1));
            MessageReader reader = q.readerFromEnd();
            q.writer().write(new Message.Ping(1, 2, 0, 2));
            reader.poll(100, received::add);
        }
        assertThat(received).extracting(m -> ((Message.Ping) m).id()).containsExactly(2L);
    }

    @Test
    void malformedMessageIsSkippedAndReadingContinues() {
        List<Message> received = new ArrayList<>();
        try (IpcQueue q = IpcQueue.open(dir)) {
            MessageReader reader = q.readerFromEnd();
            var appender = q.chronicle().createAppender();
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().write("v").text("1").write("type").text("NO_SUCH_TYPE").write("time").text("5");
            }
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().write("v").text("99").write("type").text("PING").write("time").text("5");
            }
            q.writer().write(new Message.Pong(3, 4, 6));
            int consumed = reader.poll(100, received::add);
            assertThat(consumed).isEqualTo(3);
            assertThat(reader.skipped()).isEqualTo(2);
        }
        assertThat(received).containsExactly(new Message.Pong(3, 4, 6));
    }

    @Test
    void missingFieldIsReportedByName() {
        assertThatThrownBy(() -> MessageCodec.decode(Map.of("v", "1", "type", "PONG", "time", "1", "gen", "2")))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessage("field 'id' is missing");
    }

    @Test
    void counterNamesThatWouldNeedEscapingAreRejectedAtTheSender() {
        var hb = new Message.Heartbeat(1, 1, 0, 0, 0, 0, 1, 0, true, "", Map.of("a,b", 1L), 1);
        assertThatThrownBy(() -> MessageCodec.encode(hb))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("counter name \"a,b\"");
    }

    @Test
    void twoQueueInstancesOnOneDirectorySeeEachOthersMessages() {
        // Two instances in one JVM, as the supervisor and a child each open the directory; that two processes do
        // is shown by the supervisor's integration tests (real child JVMs), not here.
        List<Message> received = new ArrayList<>();
        try (IpcQueue writerSide = IpcQueue.open(dir); IpcQueue readerSide = IpcQueue.open(dir)) {
            MessageReader reader = readerSide.readerFromEnd();
            writerSide.writer().write(new Message.Event(1, "started", "", 1));
            reader.poll(10, received::add);
        }
        assertThat(received).containsExactly(new Message.Event(1, "started", "", 1));
    }

    @Test
    void readOnlyQueueOpenedOnAnEmptyDirectorySeesWhatAWriterAddsLaterAndWritesNothing() throws Exception {
        // The supervisor opens a bot's events queue before the bot has created it, and must never write there.
        java.nio.file.Files.createDirectories(dir);
        List<Message> received = new ArrayList<>();
        try (IpcQueue reader = IpcQueue.openReadOnly(dir)) {
            MessageReader r = reader.readerFromEnd();
            assertThat(r.poll(10, received::add)).isZero();
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
                assertThat(files).as("nothing created by the reader").isEmpty();
            }
            try (IpcQueue writer = IpcQueue.open(dir)) {
                writer.writer().write(new Message.Ping(1, 7, 0, 1));
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                while (received.isEmpty() && System.nanoTime() < deadline) {
                    r.poll(10, received::add);
                    Thread.onSpinWait();
                }
            }
        }
        assertThat(received).containsExactly(new Message.Ping(1, 7, 0, 1));
    }

    @Test
    void documentWithTooManyFieldsIsSkippedUnparsedAndReadingContinues() {
        // A bot's 100,000-field document crashed a reader JVM with SIGSEGV inside Chronicle's parser.
        List<Message> received = new ArrayList<>();
        try (IpcQueue q = IpcQueue.open(dir)) {
            MessageReader reader = q.readerFromEnd();
            try (DocumentContext dc = q.chronicle().createAppender().writingDocument()) {
                for (int i = 0; i <= MessageReader.MAX_FIELDS; i++) {
                    dc.wire().write("f" + i).text("1");
                }
            }
            q.writer().write(new Message.Ping(1, 2, 0, 2));
            reader.poll(10, received::add);
            assertThat(reader.skipped()).isEqualTo(1);
        }
        assertThat(received).containsExactly(new Message.Ping(1, 2, 0, 2));
    }

    @Test
    void documentOverTheReadersSizeCapIsSkippedUnreadAndReadingContinues() {
        List<Message> received = new ArrayList<>();
        try (IpcQueue q = IpcQueue.open(dir)) {
            MessageReader reader = q.readerFromEnd();
            MessageReader roomy = q.readerFromEnd(MessageReader.TRUSTED_MAX_BYTES);
            Message big = new Message.ControlReply("c-1", 0, "x".repeat(MessageReader.UNTRUSTED_MAX_BYTES), 1);
            q.writer().write(big);
            q.writer().write(new Message.Ping(1, 2, 0, 2));
            reader.poll(10, received::add);
            assertThat(reader.skipped()).isEqualTo(1);
            List<Message> all = new ArrayList<>();
            roomy.poll(10, all::add);
            assertThat(all).as("the same document under a larger cap").containsExactly(big, new Message.Ping(1, 2, 0, 2));
        }
        assertThat(received).containsExactly(new Message.Ping(1, 2, 0, 2));
    }
}

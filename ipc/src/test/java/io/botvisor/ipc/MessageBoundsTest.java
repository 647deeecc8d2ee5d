package io.botvisor.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a child writes is decoded within bounds: bot code runs there and may write anything. */
class MessageBoundsTest {
    private static Map<String, String> heartbeat(String counters, String selfCheckDetail) {
        Map<String, String> raw = new HashMap<>(Map.of("v", "1", "type", "HEARTBEAT", "time", "1", "gen", "1",
                "seq", "1", "heapUsed", "0", "heapMax", "0", "gcTimeMillis", "0", "gcCount", "0", "threads", "1"));
        raw.putAll(Map.of("cpuTimeMillis", "0", "selfCheckOk", "true", "selfCheckDetail", selfCheckDetail,
                "counters", counters));
        return raw;
    }

    private static Map<String, String> event(String kind, String detail) {
        return Map.of("v", "1", "type", "EVENT", "time", "1", "gen", "1", "kind", kind, "detail", detail);
    }

    private static Map<String, String> control(String args) {
        return Map.of("v", "1", "type", "CONTROL", "time", "1", "id", "c-1", "command", "stop", "args", args,
                "expiresAt", "9");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "a b=1          | counter name \"a b\" is not valid (expected [A-Za-z0-9_.-]{1,64})",
            "a\u001b[2J=1   | counter name \"a\\u001b[2J\" is not valid (expected [A-Za-z0-9_.-]{1,64})",
            "ok=1,=2        | counter \"=2\" is not name=value",
            "ok=1,x=1.5     | counter \"x=1.5\" has a non-integer value",
            "ok=1,ok=2      | counter \"ok\" appears twice",
            "ok=1,          | counter \"\" is not name=value"})
    void heartbeatWithABadCounterIsRejectedOnDecode(String counters, String message) {
        assertThatThrownBy(() -> MessageCodec.decode(heartbeat(counters, "")))
                .isInstanceOf(MalformedMessageException.class).hasMessage(message);
    }

    @Test
    void counterNameOfSixtyFiveCharactersIsRejectedOnDecode() {
        String name = "n".repeat(65);
        assertThatThrownBy(() -> MessageCodec.decode(heartbeat(name + "=1", "")))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessage("counter name \"" + name + "\" is not valid (expected [A-Za-z0-9_.-]{1,64})");
    }

    @Test
    void heartbeatWithTwoHundredFiftySixCountersIsAcceptedAndOneMoreIsRejected() {
        String max = IntStream.range(0, Message.MAX_COUNTERS).mapToObj(i -> "c" + i + "=" + i)
                .collect(Collectors.joining(","));
        Message m = MessageCodec.decode(heartbeat(max, ""));
        assertThat(((Message.Heartbeat) m).counters()).hasSize(256);
        assertThatThrownBy(() -> MessageCodec.decode(heartbeat(max + ",one.more=1", "")))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessage("257 counters are too many (expected at most 256)");
    }

    @Test
    void tooManyCountersAreRejectedAtTheSenderToo() {
        Map<String, Long> counters = new LinkedHashMap<>();
        IntStream.rangeClosed(0, Message.MAX_COUNTERS).forEach(i -> counters.put("c" + i, (long) i));
        var hb = new Message.Heartbeat(1, 1, 0, 0, 0, 0, 1, 0, true, "", counters, 1);
        assertThatThrownBy(() -> MessageCodec.encode(hb)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("257 counters are too many (expected at most 256)");
    }

    private static Map<String, String> reply(String outcome, String detail) {
        return Map.of("v", "1", "type", "COMMAND_REPLY", "time", "1", "gen", "1", "id", "3", "outcome", outcome,
                "detail", detail);
    }

    @Test
    void longCommandReplyDetailIsTruncatedWithAMarker() {
        Message.CommandReply r = (Message.CommandReply) MessageCodec.decode(reply("ok", "x".repeat(1_000_000)));
        assertThat(r.detail()).hasSize(Message.MAX_REPLY).endsWith("x…(truncated)");
    }

    @Test
    void commandReplyWithABadOutcomeIsRejectedOnDecodeAndEncode() {
        assertThatThrownBy(() -> MessageCodec.decode(reply("ok\u001b[2J", "")))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessage("reply outcome \"ok\\u001b[2J\" is not valid (expected [A-Za-z0-9_.-]{1,64})");
        assertThatThrownBy(() -> MessageCodec.encode(new Message.CommandReply(1, 3, "not ok", "", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reply outcome \"not ok\" is not valid (expected [A-Za-z0-9_.-]{1,64})");
    }

    @Test
    void longEventDetailIsTruncatedWithAMarker() {
        Message.Event e = (Message.Event) MessageCodec.decode(event("stopping", "x".repeat(100_000)));
        assertThat(e.detail()).hasSize(Message.MAX_DETAIL).endsWith("x…(truncated)");
    }

    @Test
    void detailOfExactlyTheLimitIsKeptWhole() {
        String detail = "y".repeat(Message.MAX_DETAIL);
        assertThat(((Message.Event) MessageCodec.decode(event("stopping", detail))).detail()).isEqualTo(detail);
    }

    @Test
    void longSelfCheckDetailIsTruncatedWithAMarker() {
        Message.Heartbeat h = (Message.Heartbeat) MessageCodec.decode(heartbeat("", "z".repeat(5000)));
        assertThat(h.selfCheckDetail()).hasSize(Message.MAX_DETAIL).endsWith("z…(truncated)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "start failed   | event kind \"start failed\" is not valid (expected [A-Za-z0-9_.-]{1,64})",
            "stop\\nping    | event kind \"stop\\nping\" is not valid (expected [A-Za-z0-9_.-]{1,64})",
            "``             | event kind \"\" is not valid (expected [A-Za-z0-9_.-]{1,64})"})
    void eventWithABadKindIsRejectedOnDecode(String kind, String message) {
        String k = kind.replace("\\n", "\n");
        assertThatThrownBy(() -> MessageCodec.decode(event(k, "")))
                .isInstanceOf(MalformedMessageException.class).hasMessage(message);
    }

    @Test
    void eventKindOverSixtyFourCharactersIsRejectedOnDecodeAndEncode() {
        String kind = "k".repeat(65);
        assertThatThrownBy(() -> MessageCodec.decode(event(kind, "")))
                .isInstanceOf(MalformedMessageException.class).hasMessageStartingWith("event kind \"kkk");
        assertThatThrownBy(() -> MessageCodec.encode(new Message.Event(1, kind, "", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("event kind \"kkk");
    }

    @Test
    void controlRequestWithAThousandArgumentsIsAcceptedAndOneMoreIsRejected() {
        String max = String.join("\n", java.util.Collections.nCopies(Message.MAX_ARGS, "drill-1"));
        assertThat(((Message.ControlRequest) MessageCodec.decode(control(max))).args()).hasSize(1000);
        assertThatThrownBy(() -> MessageCodec.decode(control(max + "\ndrill-2")))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessage("1001 arguments are too many (expected at most 1000)");
    }

    @Test
    void controlArgumentOverTheLengthLimitIsRejectedOnDecodeAndEncode() {
        String arg = "a".repeat(Message.MAX_ARG_CHARS + 1);
        String expected = "argument \"" + "a".repeat(68) + "…(truncated)\" is 4097 characters long "
                + "(expected at most 4096)";
        assertThatThrownBy(() -> MessageCodec.decode(control(arg)))
                .isInstanceOf(MalformedMessageException.class).hasMessage(expected);
        assertThatThrownBy(() -> MessageCodec.encode(new Message.ControlRequest("c", "stop", List.of(arg), 9, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(expected);
    }

    @Test
    void badValueInAnErrorIsShownOnOneLine() {
        Map<String, String> raw = new HashMap<>(event("stopping", ""));
        raw.put("gen", "1\nFAKE LOG LINE");
        assertThatThrownBy(() -> MessageCodec.decode(raw)).isInstanceOf(MalformedMessageException.class)
                .hasMessage("field 'gen' is \"1\\nFAKE LOG LINE\", expected an integer");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "requests", "a.b-c_D9", "x", "`a b`", "é", "٣", "a/b", "a=b", "a,b", "``",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void nameCheckWithoutRegexAcceptsExactlyWhatTheNamePatternAccepts(String name) {
        assertThat(Message.isName(name)).as(name).isEqualTo(Message.NAME.matcher(name).matches());
    }
}

package io.botvisor.ipc;

import java.util.Map;

/**
 * Converts messages to and from {@link Fields}. Stateless and thread-safe.
 *
 * <p>Every encoded message has {@code v} (the codec version) and {@code type}. A reader rejects a message whose
 * version it does not speak with {@link MalformedMessageException}; the caller logs and skips it. Decoding applies
 * the bounds of {@link Message} to what a child wrote (counter names and count, event kinds, reply outcomes and
 * details, control arguments) and throws nothing else for bad input, so a reader's loop survives whatever a bot
 * wrote.
 */
public final class MessageCodec {
    public static final int VERSION = 1;

    private MessageCodec() {
    }

    public static Fields encode(Message m) {
        Fields f = new Fields().put("v", VERSION);
        if (m instanceof Message.Ready r) {
            f.put("type", "READY").put("gen", r.gen()).put("pid", r.pid()).put("startupMillis", r.startupMillis())
                    .put("handsOver", r.handsOver());
        } else if (m instanceof Message.Heartbeat h) {
            f.put("type", "HEARTBEAT").put("gen", h.gen()).put("seq", h.seq())
                    .put("heapUsed", h.heapUsed()).put("heapMax", h.heapMax()).put("gcTimeMillis", h.gcTimeMillis())
                    .put("gcCount", h.gcCount()).put("threads", h.threads()).put("cpuTimeMillis", h.cpuTimeMillis())
                    .put("selfCheckOk", h.selfCheckOk()).put("selfCheckDetail", h.selfCheckDetail())
                    .put("counters", Message.encodeCounters(h.counters()));
        } else if (m instanceof Message.Event e) {
            String problem = Message.nameProblem("event kind", e.kind());
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            f.put("type", "EVENT").put("gen", e.gen()).put("kind", e.kind()).put("detail", e.detail());
        } else if (m instanceof Message.Stop s) {
            f.put("type", "STOP").put("gen", s.gen()).put("reason", s.reason())
                    .put("deadlineMillis", s.deadlineMillis()).put("expiresAt", s.expiresAtMillis());
        } else if (m instanceof Message.Handover h) {
            f.put("type", "HANDOVER").put("gen", h.gen()).put("deadlineMillis", h.deadlineMillis())
                    .put("expiresAt", h.expiresAtMillis());
        } else if (m instanceof Message.HandedOver h) {
            f.put("type", "HANDED_OVER").put("gen", h.gen()).put("offset", h.offset());
        } else if (m instanceof Message.Takeover t) {
            f.put("type", "TAKEOVER").put("gen", t.gen()).put("offset", t.offset()).put("serve", t.serve())
                    .put("expiresAt", t.expiresAtMillis());
        } else if (m instanceof Message.Ping p) {
            f.put("type", "PING").put("gen", p.gen()).put("id", p.id()).put("expiresAt", p.expiresAtMillis());
        } else if (m instanceof Message.PoolGrant g) {
            f.put("type", "POOL_GRANT").put("gen", g.gen()).put("maxConnections", g.maxConnections());
        } else if (m instanceof Message.Pong p) {
            f.put("type", "PONG").put("gen", p.gen()).put("id", p.id());
        } else if (m instanceof Message.LogLevel l) {
            f.put("type", "LOG_LEVEL").put("gen", l.gen()).put("id", l.id()).put("logger", l.logger())
                    .put("level", l.level()).put("expiresAt", l.expiresAtMillis());
        } else if (m instanceof Message.ThreadDump d) {
            f.put("type", "THREAD_DUMP").put("gen", d.gen()).put("id", d.id()).put("expiresAt", d.expiresAtMillis());
        } else if (m instanceof Message.ReloadConfig r) {
            f.put("type", "RELOAD_CONFIG").put("gen", r.gen()).put("id", r.id())
                    .put("config", Message.encodeConfig(r.config())).put("expiresAt", r.expiresAtMillis());
        } else if (m instanceof Message.CommandReply r) {
            String problem = Message.nameProblem("reply outcome", r.outcome());
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            f.put("type", "COMMAND_REPLY").put("gen", r.gen()).put("id", r.id()).put("outcome", r.outcome())
                    .put("detail", r.detail());
        } else if (m instanceof Message.ControlRequest c) {
            f.put("type", "CONTROL").put("id", c.id()).put("command", c.command())
                    .put("args", Message.encodeArgs(c.args())).put("expiresAt", c.expiresAtMillis());
        } else if (m instanceof Message.ControlReply c) {
            f.put("type", "REPLY").put("id", c.id()).put("exitCode", c.exitCode()).put("output", c.output());
        } else {
            throw new IllegalArgumentException("no encoding for " + m.getClass().getName());
        }
        return f.put("time", m.timeMillis());
    }

    public static Message decode(Map<String, String> raw) {
        try {
            return decodeFields(Fields.of(raw));
        } catch (IllegalArgumentException e) {
            // A record's own check; it already names the field and the bound.
            throw new MalformedMessageException(e.getMessage());
        }
    }

    private static Message decodeFields(Fields f) {
        long version = f.int64("v");
        if (version != VERSION) {
            throw new MalformedMessageException("version " + version + " is not supported (expected " + VERSION + ")");
        }
        String type = f.text("type");
        long time = f.int64("time");
        return switch (type) {
            case "READY" -> new Message.Ready(f.int64("gen"), f.int64("pid"), f.int64("startupMillis"),
                    f.text("handsOver", "false").equals("true"), time);
            case "HEARTBEAT" -> new Message.Heartbeat(f.int64("gen"), f.int64("seq"), f.int64("heapUsed"),
                    f.int64("heapMax"), f.int64("gcTimeMillis"), f.int64("gcCount"), f.int32("threads"),
                    f.int64("cpuTimeMillis"), f.bool("selfCheckOk"), f.text("selfCheckDetail", ""),
                    Message.decodeCounters(f.text("counters", "")), time);
            case "EVENT" -> new Message.Event(f.int64("gen"), kind(f.text("kind")), f.text("detail", ""), time);
            case "STOP" -> new Message.Stop(f.int64("gen"), f.text("reason", ""), f.int64("deadlineMillis"),
                    f.int64("expiresAt"), time);
            case "HANDOVER" -> new Message.Handover(f.int64("gen"), f.int64("deadlineMillis"), f.int64("expiresAt"),
                    time);
            case "HANDED_OVER" -> new Message.HandedOver(f.int64("gen"), f.int64("offset"), time);
            case "TAKEOVER" -> new Message.Takeover(f.int64("gen"), f.int64("offset"), f.bool("serve"),
                    f.int64("expiresAt"), time);
            case "PING" -> new Message.Ping(f.int64("gen"), f.int64("id"), f.int64("expiresAt"), time);
            case "POOL_GRANT" -> new Message.PoolGrant(f.int64("gen"), f.int32("maxConnections"), time);
            case "PONG" -> new Message.Pong(f.int64("gen"), f.int64("id"), time);
            case "LOG_LEVEL" -> new Message.LogLevel(f.int64("gen"), f.int64("id"), f.text("logger"),
                    f.text("level"), f.int64("expiresAt"), time);
            case "THREAD_DUMP" -> new Message.ThreadDump(f.int64("gen"), f.int64("id"), f.int64("expiresAt"), time);
            case "RELOAD_CONFIG" -> new Message.ReloadConfig(f.int64("gen"), f.int64("id"),
                    Message.decodeConfig(f.text("config", "")), f.int64("expiresAt"), time);
            case "COMMAND_REPLY" -> new Message.CommandReply(f.int64("gen"), f.int64("id"),
                    name("reply outcome", f.text("outcome")), f.text("detail", ""), time);
            case "CONTROL" -> new Message.ControlRequest(f.text("id"), f.text("command"),
                    Message.decodeArgs(f.text("args", "")), f.int64("expiresAt"), time);
            case "REPLY" -> new Message.ControlReply(f.text("id"), f.int32("exitCode"), f.text("output", ""), time);
            default -> throw new MalformedMessageException("type \""
                    + Printable.oneLine(type, Message.SHOWN_CHARS) + "\" is unknown");
        };
    }

    private static String kind(String kind) {
        return name("event kind", kind);
    }

    private static String name(String what, String name) {
        String problem = Message.nameProblem(what, name);
        if (problem != null) {
            throw new MalformedMessageException(problem);
        }
        return name;
    }
}

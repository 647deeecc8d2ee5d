package io.botvisor.ipc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The flat, textual form every message travels in: an ordered map of field name to value. Readers ignore fields they
 * do not know (newer senders may add some) and reject a message that lacks a field they need, naming it. Errors show
 * a bad value escaped and shortened ({@link Printable}): the sender may be a bot.
 * Not thread-safe; one instance per message.
 */
public final class Fields {
    private final Map<String, String> values;

    public Fields() {
        this.values = new LinkedHashMap<>();
    }

    private Fields(Map<String, String> values) {
        this.values = values;
    }

    public static Fields of(Map<String, String> values) {
        return new Fields(new LinkedHashMap<>(values));
    }

    public Fields put(String name, Object value) {
        values.put(name, String.valueOf(value));
        return this;
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public String text(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new MalformedMessageException("field '" + name + "' is missing");
        }
        return v;
    }

    public String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public long int64(String name) {
        String v = text(name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new MalformedMessageException("field '" + name + "' is \"" + shown(v) + "\", expected an integer");
        }
    }

    public long int64(String name, long fallback) {
        return values.containsKey(name) ? int64(name) : fallback;
    }

    public int int32(String name) {
        long v = int64(name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new MalformedMessageException("field '" + name + "' is " + v + ", expected a 32-bit integer");
        }
        return (int) v;
    }

    public boolean bool(String name) {
        String v = text(name);
        if (!v.equals("true") && !v.equals("false")) {
            throw new MalformedMessageException("field '" + name + "' is \"" + shown(v) + "\", expected true or false");
        }
        return Boolean.parseBoolean(v);
    }

    /** A value as an error message shows it: the sender may be a bot, and the message is logged. */
    private static String shown(String value) {
        return Printable.oneLine(value, Message.SHOWN_CHARS);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}

package io.botvisor.supervisor.logs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The time at the start of every line botvisor writes: the supervisor's own log, a bot's events.log and (unless the
 * bot stamps its own) its stdout.log and stderr.log — {@code 2026-11-30T20:22:21.123+01:00 } (ISO-8601, milliseconds,
 * the host's offset), the same in every file so that {@code ctl logs --all} can interleave them. Stateless;
 * thread-safe.
 */
public final class Stamps {
    /** As Logback's {@code %d{…}} in the supervisor's log pattern (cli/LogSetup). */
    public static final String PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern(PATTERN);
    /** The shortest stamp ({@code …SSSZ}) and the longest ({@code …SSS+01:00}). */
    private static final int MIN = 24;
    private static final int MAX = 29;

    private Stamps() {
    }

    /** The stamp and one space, ready to put before a line. */
    public static byte[] prefix(long epochMillis, ZoneId zone) {
        return (FORMAT.format(Instant.ofEpochMilli(epochMillis).atZone(zone)) + " ")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** When {@code line} was stamped, or null when it does not start with a stamp (a bot's own format). */
    public static Instant of(String line) {
        int space = line.indexOf(' ');
        if (space < MIN || space > MAX || line.charAt(4) != '-' || line.charAt(10) != 'T') {
            return null;
        }
        try {
            return OffsetDateTime.parse(line.substring(0, space), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}

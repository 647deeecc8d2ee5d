package io.botvisor.supervisor.it;

import io.botvisor.storage.Migrations;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The change ids of botvisor's changelog, read from the resource itself, in order: tests derive what migrate, status
 * and rollback should name from it, so that adding a migration breaks no test about something else. Stateless.
 */
final class Changelog {
    private static final Pattern CHANGESET = Pattern.compile("(?m)^--changeset\\s+[^:\\s]+:(\\S+)");

    private Changelog() {
    }

    static List<String> ids() {
        try (InputStream in = Changelog.class.getClassLoader().getResourceAsStream(Migrations.CHANGELOG)) {
            if (in == null) {
                throw new AssertionError("no changelog resource " + Migrations.CHANGELOG + " on the classpath");
            }
            Matcher m = CHANGESET.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            List<String> ids = m.results().map(r -> r.group(1)).toList();
            if (ids.isEmpty()) {
                throw new AssertionError("no --changeset line in " + Migrations.CHANGELOG);
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.botvisor.supervisor;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version Maven wrote into {@code version.properties} at build (the launcher runs the classes directory, which has
 * no jar manifest): for {@code botvisor --version}, {@code status} and {@code botvisor_build_info}. Stateless.
 */
public final class Version {
    static final String RESOURCE = "/io/botvisor/supervisor/version.properties";

    private Version() {
    }

    /** The built version, or "unknown" for classes not built by Maven (an IDE's, which skipped resource filtering). */
    public static String of() {
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            return v.isBlank() || v.contains("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown (" + e + ")";
        }
    }
}

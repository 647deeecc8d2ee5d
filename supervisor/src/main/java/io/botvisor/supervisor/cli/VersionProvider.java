package io.botvisor.supervisor.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code botvisor --version}: the version Maven wrote into {@code version.properties} at build (the launcher runs
 * the classes directory, which has no jar manifest), and the Java that runs it. Stateless.
 */
final class VersionProvider implements CommandLine.IVersionProvider {
    static final String RESOURCE = "/io/botvisor/supervisor/version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {"botvisor " + version(), "Java " + Runtime.version() + " ("
                + System.getProperty("java.vendor", "unknown vendor") + ", " + System.getProperty("java.home") + ")"};
    }

    /** The built version, or "unknown" for classes not built by Maven (an IDE's). */
    static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown (" + e + ")";
        }
    }
}

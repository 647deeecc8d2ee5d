package io.botvisor.supervisor.cli;

import picocli.CommandLine;

/**
 * {@code botvisor --version}: the built version ({@link io.botvisor.supervisor.Version}) and the Java that runs it.
 * Stateless.
 */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"botvisor " + io.botvisor.supervisor.Version.of(), "Java " + Runtime.version() + " ("
                + System.getProperty("java.vendor", "unknown vendor") + ", " + System.getProperty("java.home") + ")"};
    }
}

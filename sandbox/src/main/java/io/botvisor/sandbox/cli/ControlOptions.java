package io.botvisor.sandbox.cli;

import picocli.CommandLine.Option;

/**
 * The options every command that talks to a running sandbox shares ({@code say}, {@code chat}, {@code load},
 * {@code verdict}, {@code fault}): where the sandbox is, and help. A picocli mixin; one per command.
 */
final class ControlOptions {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Option(names = "--url", description = "the sandbox (default: ${DEFAULT-VALUE})")
    String url = "http://127.0.0.1:8081";

    ControlClient client() {
        return new ControlClient(url);
    }
}

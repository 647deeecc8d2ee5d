package io.botvisor.runner.drill;

import java.nio.file.Path;

/**
 * A secret {@link AttackBot} managed to read, kept only to try it (a login, a search) and never printed: {@link
 * #toString()} names its source, not its value. Immutable.
 */
record Loot(String label, Path source, String value) {
    @Override
    public String toString() {
        return "the " + label + " read from " + source;
    }
}

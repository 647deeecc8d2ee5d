package io.botvisor.supervisor.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects validation problems in the order found, once each (a bad default would otherwise repeat per bot). */
final class Problems {
    private final Set<String> seen = new LinkedHashSet<>();

    void add(String problem) {
        seen.add(problem);
    }

    boolean isEmpty() {
        return seen.isEmpty();
    }

    List<String> list() {
        return new ArrayList<>(seen);
    }
}

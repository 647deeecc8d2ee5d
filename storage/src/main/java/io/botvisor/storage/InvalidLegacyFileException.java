package io.botvisor.storage;

import java.util.List;

/** A legacy JSON file has problems; each names its JSON path. Nothing was written. */
public class InvalidLegacyFileException extends StorageException {
    private final List<String> problems;

    public InvalidLegacyFileException(String file, List<String> problems) {
        super(file + ": " + problems.size() + " problem(s), nothing imported:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}

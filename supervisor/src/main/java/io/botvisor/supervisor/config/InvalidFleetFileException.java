package io.botvisor.supervisor.config;

import io.botvisor.supervisor.SupervisorException;
import java.util.List;

/** The fleet file has problems; {@link #problems()} lists every one, each naming file, bot, field, value, expectation. */
public class InvalidFleetFileException extends SupervisorException {
    private final List<String> problems;

    public InvalidFleetFileException(List<String> problems) {
        super(problems.size() + " problem(s) in the fleet file:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}

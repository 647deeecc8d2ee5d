package io.botvisor.runner.internal;

import io.botvisor.ipc.ChildSpec;
import io.botvisor.ipc.IpcException;
import java.nio.file.Path;

/**
 * The child JVM's entry point. Started by the supervisor, never by hand: the spec path comes from the environment.
 * {@code --cds-training DIR} is the supervisor's one-off run that records the class-data-sharing archive.
 */
public final class RunnerMain {
    private RunnerMain() {
    }

    public static void main(String[] args) {
        if (args.length == 2 && args[0].equals("--cds-training")) {
            CdsTraining.run(Path.of(args[1]));
            return;
        }
        String specPath = System.getenv(ChildSpec.ENV_SPEC);
        if (specPath == null || specPath.isBlank()) {
            System.err.println("bot-runner: " + ChildSpec.ENV_SPEC + " is not set; bot-runner is started by the "
                    + "botvisor supervisor (scripts/botvisor run), not by hand");
            System.exit(2);
        }
        ChildSpec spec;
        try {
            spec = ChildSpec.readFrom(Path.of(specPath));
        } catch (IpcException e) {
            System.err.println("bot-runner: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new ChildRuntime(spec).run(System.in));
    }
}

package io.botvisor.supervisor.process;

import java.nio.file.Path;
import java.util.List;

/**
 * What every launch needs that is not in the fleet file: the java binary for bot-runner children, bot-runner's
 * classpath, the flags every bot-runner JVM gets, and the state directory. Built once by the CLI. Immutable.
 */
public record LaunchSettings(Path javaBinary, String runnerClasspath, List<String> runnerJvmFlags, Path stateDir) {
    public static final String RUNNER_MAIN = "io.botvisor.runner.internal.RunnerMain";

    public LaunchSettings {
        runnerJvmFlags = List.copyOf(runnerJvmFlags);
    }

    /** These settings with one more flag for every bot-runner JVM. */
    /**
     * What every bot-runner child must be able to read: the java binary and each entry of its classpath (a
     * {@code dir/*} entry: the directory).
     */
    public java.util.List<Path> botsRead() {
        java.util.List<Path> out = new java.util.ArrayList<>();
        out.add(javaBinary);
        for (String entry : runnerClasspath.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                out.add(Path.of(entry.endsWith("/*") ? entry.substring(0, entry.length() - 2) : entry));
            }
        }
        return out;
    }

    public LaunchSettings withRunnerFlag(String flag) {
        List<String> f = new java.util.ArrayList<>(runnerJvmFlags);
        f.add(flag);
        return new LaunchSettings(javaBinary, runnerClasspath, f, stateDir);
    }

    /**
     * Flags measured for small, fast-starting bot JVMs (see BENCHMARKS.md): serial GC, C1 only with one compiler
     * thread, small stacks and code cache, exit on OOM so the supervisor restarts it, no archive relocation so
     * the CDS pages stay shared between bots, and fewer idle wake-ups (no perf-data sampler, monitor deflation
     * checked every 10 s instead of 4 times a second). Chronicle needs its exports and must not phone home.
     */
    public static List<String> defaultRunnerFlags(List<String> chronicleFlags) {
        List<String> f = new java.util.ArrayList<>(List.of(
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-Xss256k",
                "-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=96m", "-XX:+ExitOnOutOfMemoryError",
                "-XX:-UsePerfData", "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0",
                "-XX:AsyncDeflationInterval=10000",
                "-Dchronicle.disk.monitor.disable=true"));
        f.addAll(chronicleFlags);
        return f;
    }

    /**
     * The flags Chronicle Queue needs on Java 17+ (shared/design-notes.md), analytics and banner off, and no
     * disk-space checker: its thread needs net.openhft:affinity, which ipc leaves out, and died at its first run
     * with NoClassDefFoundError in every JVM that opened a queue. Same as the root pom's chronicle.jvm.flags.
     */
    public static List<String> chronicleFlags() {
        return List.of(
                "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
                "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
                "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
                "-Dchronicle.analytics.disable=true",
                "-Dchronicle.announcer.disable=true",
                "-Dchronicle.disk.monitor.disable=true");
    }
}

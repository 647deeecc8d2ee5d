package io.botvisor.supervisor.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/install into a temporary root ({@code --root}): the host's users, /opt, /etc and systemd are never touched.
 * It runs from a copy of the scripts beside a stand-in build (the supervisor's own jar is packaged only after this
 * module's tests), so it tests what the script does, not the build. Needs root (chown), as CI has.
 */
class InstallScriptIT {
    static final Path CHECKOUT = SystemdUnitTest.CHECKOUT;
    static final String PREFIX = "/opt/bv";

    @TempDir
    Path dir;
    Path src;
    Path root;

    @BeforeEach
    void standInBuildAndEmptyRoot() throws IOException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "scripts/install needs root");
        src = dir.resolve("src");
        for (String f : List.of("scripts/install", "scripts/botvisor", "scripts/systemd/botvisor.service",
                "scripts/systemd/fleet.yaml", "scripts/completion/botvisor.bash", "scripts/completion/_botvisor",
                "README.md")) {
            Files.createDirectories(src.resolve(f).getParent());
            Files.copy(CHECKOUT.resolve(f), src.resolve(f), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
        for (String f : List.of("supervisor/target/classes/io/botvisor/Main.class", "supervisor/target/lib/a-1.jar",
                "supervisor/target/supervisor-0.1.jar", "bot-runner/target/bot-runner-0.1.jar",
                "bot-runner/target/lib/b-1.jar")) {
            Files.createDirectories(src.resolve(f).getParent());
            Files.writeString(src.resolve(f), f);
        }
        root = dir.resolve("root");
        Files.createDirectories(root.resolve("etc"));
        for (String f : List.of("passwd", "group", "shadow", "gshadow")) {
            // Only root's own lines: useradd --prefix edits these files, never the host's.
            List<String> lines = Files.readAllLines(Path.of("/etc", f)).stream().filter(l -> l.startsWith("root:"))
                    .toList();
            Files.write(root.resolve("etc").resolve(f), lines);
        }
        Files.createFile(root.resolve("etc/login.defs"));
    }

    @Test
    void installsEverythingWhereTheUnitLooksForIt() throws Exception {
        Run r = install();
        assertThat(r.exitCode()).as(r.output()).isZero();
        Path opt = root.resolve("opt/bv");
        assertThat(opt.resolve("scripts/botvisor")).isExecutable();
        assertThat(opt.resolve("supervisor/target/supervisor-0.1.jar")).exists();
        assertThat(opt.resolve("supervisor/target/lib/a-1.jar")).exists();
        assertThat(opt.resolve("supervisor/target/classes/io/botvisor/Main.class")).exists();
        assertThat(opt.resolve("bot-runner/target/bot-runner-0.1.jar")).exists();
        assertThat(opt.resolve("bot-runner/target/lib/b-1.jar")).exists();
        // Bots, as users of their own, read bot-runner's jars.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(opt.resolve("bot-runner/target/lib/b-1.jar"))))
                .isEqualTo("rw-r--r--");
        String unit = Files.readString(root.resolve("etc/systemd/system/botvisor.service"));
        assertThat(unit).contains("ExecStart=" + PREFIX + "/scripts/botvisor run --config /etc/botvisor/fleet.yaml")
                .contains("ExecReload=" + PREFIX + "/scripts/botvisor ctl --state-dir %S/botvisor reload --wait")
                .doesNotContain("/opt/botvisor");
        assertThat(Files.readString(root.resolve("etc/botvisor/fleet.yaml")))
                .isEqualTo(Files.readString(src.resolve("scripts/systemd/fleet.yaml")));
        assertThat(Files.readSymbolicLink(root.resolve("usr/local/bin/botvisor"))).isEqualTo(Path.of(PREFIX,
                "scripts/botvisor"));
        assertThat(Files.readAllLines(root.resolve("etc/passwd"))).anyMatch(l -> l.startsWith("botvisor:"));
        assertThat(Files.readAllLines(root.resolve("etc/group"))).anyMatch(l -> l.startsWith("botvisor:"));
        assertThat(r.output()).contains("--root " + root + ": systemctl not run");
        assertThat(Files.readString(root.resolve("usr/share/bash-completion/completions/botvisor")))
                .isEqualTo(Files.readString(src.resolve("scripts/completion/botvisor.bash")));
        assertThat(root.resolve("usr/local/share/zsh/site-functions/_botvisor")).exists();
    }

    @Test
    void aSecondRunChangesNothingAndKeepsTheOperatorsFleetFile() throws Exception {
        assertThat(install().exitCode()).isZero();
        Path fleet = root.resolve("etc/botvisor/fleet.yaml");
        Files.writeString(fleet, "bots: []\n");
        java.util.TreeSet<String> before = tree();
        Run again = install();
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(Files.readString(fleet)).isEqualTo("bots: []\n");
        assertThat(again.output()).contains("kept your " + fleet);
        before.add("etc/botvisor/fleet.yaml.example rw-r----- " + Files.size(src.resolve("scripts/systemd/fleet.yaml")));
        assertThat(tree()).containsExactlyElementsOf(before);
        assertThat(Files.readAllLines(root.resolve("etc/passwd")).stream().filter(l -> l.startsWith("botvisor:")))
                .hasSize(1);
        assertThat(again.output()).doesNotContain("created the system");
    }

    @Test
    void aRebuildReplacesTheJarsAndLeavesNoOldOnes() throws Exception {
        assertThat(install().exitCode()).isZero();
        Files.move(src.resolve("bot-runner/target/lib/b-1.jar"), src.resolve("bot-runner/target/lib/b-2.jar"));
        assertThat(install().exitCode()).isZero();
        assertThat(root.resolve("opt/bv/bot-runner/target/lib/b-2.jar")).exists();
        assertThat(root.resolve("opt/bv/bot-runner/target/lib/b-1.jar")).doesNotExist();
    }

    @Test
    void uninstallKeepsTheStateDirAndTheConfigurationPurgeRemovesThem() throws Exception {
        assertThat(install().exitCode()).isZero();
        Path state = Files.createDirectories(root.resolve("var/lib/botvisor/db"));
        Run un = install("--uninstall");
        assertThat(un.exitCode()).as(un.output()).isZero();
        assertThat(root.resolve("opt/bv")).doesNotExist();
        assertThat(root.resolve("etc/systemd/system/botvisor.service")).doesNotExist();
        assertThat(root.resolve("usr/local/bin/botvisor")).doesNotExist();
        assertThat(root.resolve("usr/share/bash-completion/completions/botvisor")).doesNotExist();
        assertThat(state).isDirectory();
        assertThat(root.resolve("etc/botvisor/fleet.yaml")).exists();

        Run purge = install("--uninstall", "--purge");
        assertThat(purge.exitCode()).as(purge.output()).isZero();
        assertThat(root.resolve("var/lib/botvisor")).doesNotExist();
        assertThat(root.resolve("etc/botvisor")).doesNotExist();
        assertThat(Files.readAllLines(root.resolve("etc/passwd"))).noneMatch(l -> l.startsWith("botvisor:"));
        assertThat(Files.readAllLines(root.resolve("etc/group"))).noneMatch(l -> l.startsWith("botvisor:"));
    }

    @Test
    void refusesAPrefixThatHoldsSomeoneElsesFiles() throws Exception {
        Files.createDirectories(root.resolve("opt/bv"));
        Files.writeString(root.resolve("opt/bv/theirs.txt"), "not ours");
        Run r = install();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).contains("botvisor install: " + root + "/opt/bv holds files scripts/install did not put "
                + "there; choose an empty or new --prefix");
        assertThat(root.resolve("opt/bv/theirs.txt")).exists();
    }

    @Test
    void saysWhatToBuildWhenTheProjectIsNotBuilt() throws Exception {
        Files.delete(src.resolve("supervisor/target/supervisor-0.1.jar"));
        Run r = install();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).contains("botvisor install: the project is not built").contains("mvn -B -DskipTests package");
    }

    @Test
    void purgeWithoutUninstallIsAUsageError() throws Exception {
        Run r = install("--purge");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("--purge goes with --uninstall").contains("usage: scripts/install");
    }

    record Run(int exitCode, String output) {
    }

    private Run install(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", src.resolve("scripts/install").toString(),
                "--root", root.toString(), "--prefix", PREFIX));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "install", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("scripts/install finished").isTrue();
        return new Run(p.exitValue(), Files.readString(out));
    }

    /** Every path under the root with its mode and size, sorted: what a second run must not change. */
    private java.util.TreeSet<String> tree() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> !p.equals(root) && !p.getFileName().toString().endsWith("-")) // useradd's backups
                    .map(p -> root.relativize(p) + " " + mode(p) + " " + (Files.isRegularFile(p) ? size(p) : "-"))
                    .collect(Collectors.toCollection(java.util.TreeSet::new));
        }
    }

    private static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package io.botvisor.supervisor.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;

/**
 * A stand-in for psql (CI has no postgresql-client, and Maven Central has no psql): a script named psql, first on
 * PATH, that does what these tests need psql to do with what botvisor hands it, the way libpq takes it: the host,
 * port, user and database from argv, the password from PGPASSFILE, and PGOPTIONS as the session's startup options
 * (pgjdbc's {@code options}); it logs in over JDBC, runs {@code -c}, prints the rows, and reports the password file's
 * permissions, PGOPTIONS and its own argv. Stateless.
 */
final class PsqlStandIn {
    private PsqlStandIn() {
    }

    /** Writes the stand-in under {@code dir} and returns the environment that puts it first on PATH. */
    static Map<String, String> path(Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path source = dir.resolve("PsqlStandIn.java");
        Files.writeString(source, """
                import java.nio.file.*;
                import java.nio.file.attribute.PosixFilePermissions;
                import java.sql.*;
                import java.util.*;
                public class PsqlStandIn {
                    public static void main(String[] a) throws Exception {
                        Map<String, String> o = new HashMap<>();
                        for (int i = 0; i + 1 < a.length; i += 2) o.put(a[i], a[i + 1]);
                        Path pass = Path.of(System.getenv("PGPASSFILE"));
                        System.out.println("pgpass " + PosixFilePermissions.toString(Files.getPosixFilePermissions(pass)));
                        String[] f = Files.readString(pass).strip().split(":", 5);
                        if (!f[3].equals(o.get("-U"))) throw new IllegalStateException("pgpass is for " + f[3]);
                        Properties p = new Properties();
                        p.setProperty("user", o.get("-U"));
                        p.setProperty("password", f[4]); // generated passwords are base64url: nothing to unescape
                        String options = System.getenv("PGOPTIONS");
                        if (options != null) p.setProperty("options", options);
                        System.out.println("pgoptions " + options);
                        String url = "jdbc:postgresql://" + o.get("-h") + ":" + o.get("-p") + "/" + o.get("-d");
                        try (Connection c = DriverManager.getConnection(url, p);
                             ResultSet rs = c.createStatement().executeQuery(o.get("-c"))) {
                            while (rs.next()) System.out.println("row " + rs.getString(1));
                        }
                        System.out.println("argv " + String.join(" ", a));
                    }
                }
                """);
        String pgjdbc = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> Path.of(e).getFileName().toString().matches("postgresql-[0-9.]+\\.jar")).findFirst()
                .orElseThrow(() -> new AssertionError("pgjdbc is not on the test classpath"));
        Path psql = bin.resolve("psql");
        Files.writeString(psql, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -cp '" + pgjdbc + "' '" + source + "' \"$@\"\n");
        Files.setPosixFilePermissions(psql, PosixFilePermissions.fromString("rwx------"));
        return Map.of("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    }
}

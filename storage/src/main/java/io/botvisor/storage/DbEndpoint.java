package io.botvisor.storage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where and as whom to connect. The password never appears in {@link #toString()} or in {@link #url()}, so that an
 * endpoint can be logged. Immutable.
 */
public record DbEndpoint(String url, String user, String password) {

    /** A new connection; the caller closes it. */
    public Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", "botvisor");
        return DriverManager.getConnection(url, p);
    }

    /** The same server and database as another role. */
    public DbEndpoint as(String otherUser, String otherPassword) {
        return new DbEndpoint(url, otherUser, otherPassword);
    }

    @Override
    public String toString() {
        return url + " as " + user;
    }
}

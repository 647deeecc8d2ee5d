package io.botvisor.storage;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;

/**
 * Where and as whom to connect. The password never appears in {@link #toString()}, which also shows the URL through
 * {@link #redact(String)}, so that an endpoint can be logged. Immutable.
 */
public record DbEndpoint(String url, String user, String password) {
    /** What {@link #redact(String)} puts in place of a credential. */
    public static final String REDACTED = "***";

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
        return redact(url) + " as " + user;
    }

    /**
     * The URL with every credential in it replaced by {@value #REDACTED}: the user info of the authority
     * ({@code //user:secret@host} → {@code //***@host}) and the value of every query parameter named {@code user} or
     * with {@code password} in its name ({@code password}, {@code sslpassword}; case and percent-encoding ignored).
     * Botvisor never puts credentials in a URL; this is defence in depth for one an operator wrote. Null stays null.
     */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        Parts p = Parts.of(url);
        StringBuilder sb = new StringBuilder(p.beforeAuthority);
        if (p.userInfo != null) {
            sb.append(REDACTED);
        }
        sb.append(p.rest);
        if (p.query != null) {
            sb.append('?');
            String[] params = p.query.split("&", -1);
            for (int i = 0; i < params.length; i++) {
                if (i > 0) {
                    sb.append('&');
                }
                int eq = params[i].indexOf('=');
                sb.append(eq >= 0 && isCredential(params[i].substring(0, eq))
                        ? params[i].substring(0, eq + 1) + REDACTED : params[i]);
            }
        }
        return sb.toString();
    }

    /**
     * Whether the URL carries credentials {@link #redact(String)} would hide: user info, or a {@code user} or
     * {@code *password*} parameter (with or without a value).
     */
    public static boolean hasCredentials(String url) {
        Parts p = Parts.of(url);
        if (p.userInfo != null) {
            return true;
        }
        if (p.query != null) {
            for (String param : p.query.split("&", -1)) {
                int eq = param.indexOf('=');
                if (isCredential(eq >= 0 ? param.substring(0, eq) : param)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isCredential(String rawName) {
        String name;
        try {
            name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            name = rawName; // a malformed escape: judge it as written
        }
        name = name.strip().toLowerCase(Locale.ROOT);
        return name.equals("user") || name.contains("password");
    }

    /**
     * A URL cut where credentials may sit: {@code jdbc:postgresql://} | {@code user:pw} | {@code @host:5432/db} |
     * {@code query}. User info ends at an {@code @} before the path, or, for a password with an unescaped
     * {@code /} in it, at one before the query; a password with both {@code /} and {@code ?} unescaped is beyond
     * this (PostgreSQL's driver takes no user info at all: such a URL does not work anyway).
     */
    private record Parts(String beforeAuthority, String userInfo, String rest, String query) {
        static Parts of(String url) {
            int slashes = url.indexOf("//");
            int start = slashes < 0 ? 0 : slashes + 2;
            int at = -1;
            if (slashes >= 0) {
                at = lastAt(url, start, url.indexOf('/', start));
                if (at < 0) {
                    at = lastAt(url, start, url.indexOf('?', start));
                }
            }
            String afterUserInfo = url.substring(at < 0 ? start : at);
            int q = afterUserInfo.indexOf('?');
            return new Parts(url.substring(0, start), at < 0 ? null : url.substring(start, at),
                    q < 0 ? afterUserInfo : afterUserInfo.substring(0, q), q < 0 ? null : afterUserInfo.substring(q + 1));
        }

        private static int lastAt(String url, int from, int to) {
            int at = url.lastIndexOf('@', (to < 0 ? url.length() : to) - 1);
            return at >= from ? at : -1;
        }
    }
}

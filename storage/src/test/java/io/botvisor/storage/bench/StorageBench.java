package io.botvisor.storage.bench;

import javax.sql.DataSource;
import io.botvisor.storage.BotCredentials;
import io.botvisor.storage.BotPool;
import io.botvisor.storage.BotRoles;
import io.botvisor.storage.DbEndpoint;
import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import io.botvisor.storage.MessageStore;
import io.botvisor.storage.Migrations;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Storage benchmarks (scripts/bench/storage.sh) on a fresh embedded PostgreSQL 17 with 16 hash partitions:
 * <ul>
 *   <li>{@code ingest N ROUNDS}: N messages per round through {@link MessageStore} (a bot's pool and role, batches of
 *   1000) against COPY of the same rows (as the superuser: COPY FROM is refused under row-level security), alternating,
 *   into a truncated table each time; rows/s per round and the ratio.</li>
 *   <li>{@code rls N}: one bot-scoped query (a conversation's 20 latest messages) N times as the bot's role and N times
 *   as the admin role, alternating blocks; median latency each and the ratio.</li>
 * </ul>
 */
public final class StorageBench {
    private static final int BOTS = 20;
    private static final int CONVERSATIONS = 50;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("botvisor-bench");
        DbFiles files = DbFiles.under(dir);
        try (EmbeddedDatabase server = EmbeddedDatabase.start(files, 50)) {
            DbEndpoint su = server.superuser();
            new Migrations(su, 16).migrate();
            BotRoles roles = new BotRoles(su, files);
            List<BotCredentials> bots = new ArrayList<>();
            for (int i = 0; i < BOTS; i++) {
                bots.add(roles.ensure("bench-" + i, "bench"));
            }
            BotCredentials bot = bots.get(BOTS / 2);
            try (BotPool botPool = BotPool.open(bot.botName(), su.url(), bot.role(),
                    files.botPassword(bot.botName()), 2)) {
                DataSource pool = botPool.dataSource();
                switch (args[0]) {
                    case "ingest" -> ingest(su, pool, bot, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                    case "rls" -> rls(su, pool, bots, Integer.parseInt(args[1]));
                    default -> throw new IllegalArgumentException("unknown benchmark " + args[0]);
                }
            }
        }
    }

    private static List<MessageStore.NewMessage> rows(int n) {
        Instant base = Instant.now().minusSeconds(3600);
        List<MessageStore.NewMessage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new MessageStore.NewMessage(i % CONVERSATIONS, i, base.plusMillis(i), 1000L + i % 97, i % 2 == 0,
                    "message number " + i + " with a body of ordinary chat length, about sixty bytes"));
        }
        return out;
    }

    private static void ingest(DbEndpoint su, DataSource pool, BotCredentials bot, int n, int rounds)
            throws Exception {
        List<MessageStore.NewMessage> rows = rows(n);
        MessageStore store = MessageStore.of(pool);
        StringBuilder csv = new StringBuilder();
        for (MessageStore.NewMessage m : rows) {
            csv.append(bot.botId()).append(',').append(m.conversationId()).append(',').append(m.messageId()).append(',')
                    .append(m.at()).append(',').append(m.userId()).append(',').append(m.incoming() ? "in" : "out")
                    .append(",\"").append(m.body().replace("\"", "\"\"")).append("\"\n");
        }
        double[] api = new double[rounds];
        double[] copy = new double[rounds];
        for (int r = -1; r < rounds; r++) { // round -1 warms both paths up and is not counted
            truncate(su);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i += 1000) {
                store.append(rows.subList(i, Math.min(n, i + 1000)));
            }
            double apiRate = n / ((System.nanoTime() - t0) / 1e9);
            truncate(su);
            t0 = System.nanoTime();
            try (Connection c = su.connect()) {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY botvisor.messages (bot_id, conversation_id, "
                        + "message_id, created_at, user_id, direction, body) FROM STDIN (FORMAT csv)",
                        new StringReader(csv.toString()));
            }
            double copyRate = n / ((System.nanoTime() - t0) / 1e9);
            if (r >= 0) {
                api[r] = apiRate;
                copy[r] = copyRate;
                System.out.printf("round %d: storage API %.0f rows/s, COPY %.0f rows/s, ratio %.2f%n", r + 1, apiRate,
                        copyRate, apiRate / copyRate);
            }
        }
        System.out.printf("ingest of %d messages, median of %d rounds: storage API %.0f rows/s, COPY %.0f rows/s, "
                + "ratio %.2f%n", n, rounds, median(api), median(copy), median(api) / median(copy));
    }

    private static void truncate(DbEndpoint su) throws SQLException {
        try (Connection c = su.connect(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE botvisor.messages");
            st.execute("CHECKPOINT");
        }
    }

    private static void rls(DbEndpoint su, DataSource pool, List<BotCredentials> bots, int n) throws Exception {
        // 20 bots × 10,000 messages, so that the partitions are not trivially small.
        for (BotCredentials b : bots) {
            try (Connection c = su.connect(); PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO botvisor.messages (bot_id, conversation_id, message_id, created_at, direction, body)
                    SELECT ?, g % 50, g, now() - make_interval(secs => g), 'in', 'body ' || g
                      FROM generate_series(1, 10000) g""")) {
                ps.setInt(1, b.botId());
                ps.executeUpdate();
            }
        }
        try (Connection c = su.connect(); Statement st = c.createStatement()) {
            st.execute("ANALYZE botvisor.messages");
        }
        int botId = MessageStore.of(pool).botId();
        String sql = "SELECT body FROM botvisor.messages WHERE bot_id = ? AND conversation_id = ? "
                + "ORDER BY created_at DESC LIMIT 20";
        List<Double> asBot = new ArrayList<>();
        List<Double> asAdmin = new ArrayList<>();
        try (Connection bc = pool.getConnection(); Connection ac = su.connect()) {
            try (Statement st = ac.createStatement()) {
                st.execute("SET ROLE botvisor_admin");
            }
            PreparedStatement bq = bc.prepareStatement(sql);
            PreparedStatement aq = ac.prepareStatement(sql);
            for (int block = 0; block < 20; block++) {
                time(bq, botId, n / 20, block > 0 ? asBot : new ArrayList<>());
                time(aq, botId, n / 20, block > 0 ? asAdmin : new ArrayList<>());
            }
        }
        double b = median(asBot.stream().mapToDouble(Double::doubleValue).toArray());
        double a = median(asAdmin.stream().mapToDouble(Double::doubleValue).toArray());
        System.out.printf("a conversation's 20 latest messages, %d queries each: as the bot's role %.3f ms, as the "
                + "admin %.3f ms (medians), ratio %.2f%n", asBot.size(), b, a, b / a);
    }

    private static void time(PreparedStatement q, int botId, int n, List<Double> out) throws SQLException {
        for (int i = 0; i < n; i++) {
            q.setInt(1, botId);
            q.setLong(2, i % CONVERSATIONS);
            long t0 = System.nanoTime();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rs.getString(1);
                }
            }
            out.add((System.nanoTime() - t0) / 1e6);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}

package io.botvisor.supervisor.isolation;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Another supervisor's side of {@link UidClaimsTest}, in a process of its own (fcntl locks belong to processes):
 * {@code DIR STATE_DIR BOT=UID…} claims, says "claimed" on stdout, holds the claim until its stdin closes.
 */
public final class UidClaimsHolder {
    private UidClaimsHolder() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Long> uids = new TreeMap<>();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=");
            uids.put(kv[0], Long.parseLong(kv[1]));
        }
        try (UidClaims claims = UidClaims.claim(Path.of(args[0]), Path.of(args[1]), uids)) {
            System.out.println("claimed");
            System.out.flush();
            while (System.in.read() >= 0) {
                // holds the claim until the test closes our stdin (or kills us)
            }
        }
    }
}

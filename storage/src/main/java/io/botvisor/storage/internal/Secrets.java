package io.botvisor.storage.internal;

import io.botvisor.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** Generated passwords in files only their owner can read (0600). Stateless. */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** A new random password (24 bytes, URL-safe base64: no quoting needed anywhere). */
    public static String generate() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Writes {@code secret} to {@code file} with mode 0600, atomically: the file is never seen half written or open. */
    public static void write(Path file, String secret) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StorageException("cannot write secret file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The secret in {@code file} (its first line). */
    public static String read(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            if (s.isEmpty()) {
                throw new StorageException("secret file " + file + " is empty (expected a password on its first line)");
            }
            return s;
        } catch (IOException e) {
            throw new StorageException("cannot read secret file " + file + ": " + e.getMessage(), e);
        }
    }
}

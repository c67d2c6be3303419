package io.jvirt.apiserver.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Service-account tokens, as kube-apiserver's TokenRequest issues them: bound to one ServiceAccount (namespace, name,
 * uid) and an expiry, signed with HMAC-SHA256 under a key kept in a 0600 file, so tokens outlive a restart of the API
 * server. A token reads {@code jvirt-sa.<base64url payload>.<base64url signature>}; it carries no secret of its own.
 * Whether the ServiceAccount still exists with that uid is the caller's check. Thread-safe.
 */
public final class ServiceAccountTokens {
    private static final String PREFIX = "jvirt-sa.";

    /** What a valid token names. */
    public record Claims(String namespace, String name, String uid, Instant expires) {
        /** The user it authenticates as: {@code system:serviceaccount:<namespace>:<name>} with the service-account groups. */
        public User user() {
            return User.of(User.SERVICE_ACCOUNT_PREFIX + namespace + ":" + name, uid, java.util.List.of());
        }
    }

    private final byte[] key;
    private final Clock clock;

    private ServiceAccountTokens(byte[] key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    /** Reads the signing key from {@code keyFile}, creating it (32 random bytes, 0600) when missing. */
    public static ServiceAccountTokens open(Path keyFile, Clock clock) throws IOException {
        if (!Files.exists(keyFile, LinkOption.NOFOLLOW_LINKS)) {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            Files.createDirectories(keyFile.getParent());
            Path temp = keyFile.resolveSibling(keyFile.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(temp, fresh);
            Files.move(temp, keyFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        byte[] key = Files.readAllBytes(keyFile);
        if (key.length < 32) {
            throw new IOException(keyFile + ": a service-account signing key must hold at least 32 bytes");
        }
        return new ServiceAccountTokens(key, clock);
    }

    /** A token for ServiceAccount {@code namespace/name} with {@code uid}, valid until {@code expires}. */
    public String issue(String namespace, String name, String uid, Instant expires) {
        return PREFIX + signed(key, namespace + "/" + name + "/" + uid + "/" + expires.getEpochSecond());
    }

    /** What {@code token} names, when it is one of these, untampered and not expired. */
    public Optional<Claims> verify(String token) {
        if (token == null || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        Optional<String> payload = payloadOf(key, token.substring(PREFIX.length()));
        String[] parts = payload.map(p -> p.split("/")).orElse(new String[0]);
        if (parts.length != 4) {
            return Optional.empty();
        }
        try {
            Instant expires = Instant.ofEpochSecond(Long.parseLong(parts[3]));
            if (!clock.instant().isBefore(expires)) {
                return Optional.empty();
            }
            return Optional.of(new Claims(parts[0], parts[1], parts[2], expires));
        } catch (IllegalArgumentException invalid) {
            return Optional.empty();
        }
    }

    /**
     * {@code payload} signed under {@code key}: its UTF-8 bytes and their HMAC-SHA256, each unpadded base64url, joined
     * by a dot. The form of the API server's own tokens (ServiceAccount tokens, upload tokens).
     */
    public static String signed(byte[] key, String payload) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(hmacSha256(key, payload));
    }

    /**
     * The payload of {@code text} when it is exactly what {@link #signed} gives for that payload. The whole text is
     * compared, not the decoded signature: base64's last character carries bits a decoder ignores, so decoded bytes
     * would accept other spellings of the same signature.
     */
    public static Optional<String> payloadOf(byte[] key, String text) {
        int dot = text.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        try {
            String payload = new String(Base64.getUrlDecoder().decode(text.substring(0, dot)), StandardCharsets.UTF_8);
            return MessageDigest.isEqual(text.getBytes(StandardCharsets.UTF_8), signed(key, payload).getBytes(StandardCharsets.UTF_8))
                    ? Optional.of(payload) : Optional.empty();
        } catch (IllegalArgumentException invalid) {
            return Optional.empty();
        }
    }

    private static byte[] hmacSha256(byte[] key, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

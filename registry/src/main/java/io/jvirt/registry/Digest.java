package io.jvirt.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest {@code algorithm:hex} (sha256 or sha512, lower-case hex of the right length). Immutable;
 * safe as a file name once {@link #fileName() converted}.
 */
public record Digest(String algorithm, String hex) {
    private static final Pattern HEX = Pattern.compile("[a-f0-9]+");

    public Digest {
        int length = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw new IllegalArgumentException("unsupported digest algorithm " + algorithm + " (sha256 and sha512 only)");
        };
        if (hex.length() != length || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("invalid " + algorithm + " digest " + hex);
        }
    }

    /** @throws IllegalArgumentException when {@code text} is no valid digest */
    public static Digest parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("invalid digest " + text + " (expected algorithm:hex)");
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** The digest of {@code content}. */
    public static Digest sha256(byte[] content) {
        MessageDigest md = newSha256();
        return new Digest("sha256", HexFormat.of().formatHex(md.digest(content)));
    }

    /** A fresh hasher of this digest's algorithm. */
    public MessageDigest hasher() {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code algorithm-hex}: a file name. */
    public String fileName() {
        return algorithm + "-" + hex;
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}

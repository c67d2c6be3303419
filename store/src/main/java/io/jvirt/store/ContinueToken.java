package io.jvirt.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque continue token of a paged list: the first page's resourceVersion and the last key returned.
 * Encoded as URL-safe base64 of {@code <rv>:<key path>}.
 */
record ContinueToken(long resourceVersion, String lastKeyPath) {

    String encode() {
        String plain = resourceVersion + ":" + lastKeyPath;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes a token made by {@link #encode()} for {@code prefix}; {@link IllegalArgumentException} otherwise. */
    static ContinueToken decode(String token, KeyPrefix prefix) {
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid continue token", e);
        }
        int colon = plain.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("invalid continue token");
        }
        long rv;
        try {
            rv = Long.parseLong(plain.substring(0, colon));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid continue token", e);
        }
        String key = plain.substring(colon + 1);
        if (rv < 0 || !key.startsWith(prefix.path())) {
            throw new IllegalArgumentException("continue token does not belong to " + prefix);
        }
        return new ContinueToken(rv, key);
    }
}

package io.jvirt.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A user name and password (or identity token as password) for one registry. {@link #toString()} never shows
 * the password.
 */
public record Credentials(String username, String password) {
    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /** The {@code Authorization} header value of HTTP basic auth. */
    public String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + username + "]";
    }
}

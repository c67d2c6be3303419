package io.jvirt.apiserver.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/** Writes a kubeconfig (context "jvirt") for a server URL, CA and bearer token. Idempotent. */
public final class Kubeconfig {
    private Kubeconfig() {}

    /** Writes {@code file} atomically with mode 0600. */
    public static void write(Path file, String serverUrl, String caPem, String token, String user) throws IOException {
        String ca = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
        String text = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: jvirt
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: %s
                  user:
                    token: %s
                contexts:
                - name: jvirt
                  context:
                    cluster: jvirt
                    user: %s
                    namespace: default
                current-context: jvirt
                preferences: {}
                """.formatted(serverUrl, ca, user, token, user);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, ""); // private before the token goes in
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // non-POSIX file system
        }
        Files.writeString(tmp, text);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}

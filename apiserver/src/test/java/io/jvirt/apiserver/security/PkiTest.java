package io.jvirt.apiserver.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiTest {

    @Test
    void theKeysArePrivateInAPrivateDirectory(@TempDir Path home) throws Exception {
        Path dir = home.resolve("pki");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

        Pki pki = Pki.ensure(dir);

        assertEquals("rwx------", mode(dir));
        assertEquals("rw-------", mode(pki.serverKey()));
        assertEquals("rw-------", mode(dir.resolve("ca.key")));
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}

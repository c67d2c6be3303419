package io.jvirt.apiserver.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens: an admin on first start, and lines appended from outside (./jvirt kubeconfig) work without a restart. */
class TokenFileTest {
    @TempDir
    Path dir;

    @Test
    void aTokenAppendedToTheFileAuthenticatesAtOnce() throws Exception {
        Path file = dir.resolve("tokens.csv");
        TokenFile tokens = TokenFile.ensure(file);
        assertTrue(tokens.tokenFor("admin").isPresent());
        assertTrue(tokens.authenticate("0123abcd").isEmpty());

        Files.writeString(file, "0123abcd,viewer,view\nbroken line\nfeed,odd,superuser\n", StandardOpenOption.APPEND);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5))); // a distinct mtime even within one tick

        User viewer = tokens.authenticate("0123abcd").orElseThrow();
        assertEquals("viewer", viewer.name());
        assertEquals(Role.VIEW, viewer.role());
        assertTrue(tokens.authenticate("feed").isEmpty(), "an unknown role gives no user");
        assertTrue(tokens.authenticate(tokens.tokenFor("admin").orElseThrow()).isPresent());
    }

    @Test
    void ensureAddsATokenOnceAndKeepsItInTheFile() throws Exception {
        Path file = dir.resolve("tokens.csv");
        TokenFile tokens = TokenFile.ensure(file);
        String token = tokens.ensure("system:kube-scheduler", Role.ADMIN);
        assertEquals(token, tokens.ensure("system:kube-scheduler", Role.ADMIN));
        assertEquals("system:kube-scheduler", TokenFile.ensure(file).authenticate(token).orElseThrow().name());
    }
}

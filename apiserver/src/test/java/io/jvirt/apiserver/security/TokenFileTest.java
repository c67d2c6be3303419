package io.jvirt.apiserver.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens: an admin (system:masters) on first start; lines appended from outside work without a restart;
 * kube-apiserver's token,user,uid,"groups" format; old token,user,role lines handed over once and rewritten.
 */
class TokenFileTest {
    @TempDir
    Path dir;

    private static void touch(Path file) throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5))); // a distinct mtime even within one tick
    }

    @Test
    void aTokenAppendedToTheFileAuthenticatesAtOnceWithItsGroups() throws Exception {
        Path file = dir.resolve("tokens.csv");
        TokenFile tokens = TokenFile.ensure(file);
        User admin = tokens.authenticate(tokens.tokenFor("admin").orElseThrow()).orElseThrow();
        assertTrue(admin.privileged());
        assertTrue(tokens.authenticate("0123abcd").isEmpty());

        Files.writeString(file, "0123abcd,alice,u-1,\"team-a,team-b\"\nbroken line\n", StandardOpenOption.APPEND);
        touch(file);
        User alice = tokens.authenticate("0123abcd").orElseThrow();
        assertEquals("alice", alice.name());
        assertEquals("u-1", alice.uid());
        assertEquals(List.of("team-a", "team-b", User.AUTHENTICATED), alice.groups());
        assertFalse(alice.privileged());
    }

    @Test
    void serviceAccountNamesGetTheirImplicitGroups() throws Exception {
        TokenFile tokens = TokenFile.ensure(dir.resolve("tokens.csv"));
        String token = tokens.ensure("system:serviceaccount:kubevirt:kubevirt-handler", List.of());
        assertEquals(token, tokens.ensure("system:serviceaccount:kubevirt:kubevirt-handler", List.of()));
        User sa = TokenFile.ensure(dir.resolve("tokens.csv")).authenticate(token).orElseThrow();
        assertEquals(List.of("system:serviceaccounts", "system:serviceaccounts:kubevirt", User.AUTHENTICATED), sa.groups());
    }

    @Test
    void oldRoleLinesAreHandedOverOnceAndRewritten() throws Exception {
        Path file = dir.resolve("tokens.csv");
        Files.writeString(file, "aaaa,admin,admin\nbbbb,viewer,view\ncccc,editor,edit\neeee,system:kube-scheduler,admin\n"
                + "ffff,system:serviceaccount:kubevirt:kubevirt-handler,x,\"system:masters\"\n");
        TokenFile tokens = TokenFile.ensure(file);
        Map<String, String> handed = new ConcurrentHashMap<>();
        tokens.migrateRoles(handed::putAll);
        assertEquals(Map.of("viewer", "view", "editor", "edit"), handed);
        assertTrue(tokens.authenticate("aaaa").orElseThrow().privileged(), "the old admin role is system:masters");
        assertFalse(tokens.authenticate("eeee").orElseThrow().privileged(), "a component's rights are its role's, never the old admin role");
        assertFalse(tokens.authenticate("ffff").orElseThrow().privileged(), "a component gets no groups from the file");
        assertEquals(List.of("aaaa,admin,admin,\"system:masters\"", "bbbb,viewer,viewer", "cccc,editor,editor",
                        "eeee,system:kube-scheduler,system:kube-scheduler", "ffff,system:serviceaccount:kubevirt:kubevirt-handler,x"),
                Files.readAllLines(file).stream().sorted().toList());

        handed.clear();
        Files.writeString(file, "dddd,late,view\n", StandardOpenOption.APPEND);
        touch(file);
        assertEquals("late", tokens.authenticate("dddd").orElseThrow().name());
        assertEquals(Map.of("late", "view"), handed, "a line appended later is handed over when read");
        assertFalse(tokens.authenticate("bbbb").orElseThrow().privileged());
    }
}

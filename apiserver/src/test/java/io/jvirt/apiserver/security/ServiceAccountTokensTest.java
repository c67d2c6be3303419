package io.jvirt.apiserver.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServiceAccountTokensTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void aTokenNamesItsAccountAndSurvivesAReopenOfTheKey() throws Exception {
        Path key = dir.resolve("pki/service-account.key");
        String token = ServiceAccountTokens.open(key, CLOCK).issue("ns1", "robot", "uid-1", NOW.plusSeconds(600));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        ServiceAccountTokens.Claims claims = ServiceAccountTokens.open(key, CLOCK).verify(token).orElseThrow();
        assertEquals(new ServiceAccountTokens.Claims("ns1", "robot", "uid-1", NOW.plusSeconds(600)), claims);
        assertEquals("system:serviceaccount:ns1:robot", claims.user().name());
        assertEquals(List.of("system:serviceaccounts", "system:serviceaccounts:ns1", "system:authenticated"), claims.user().groups());
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("expired", (UnaryOperator<String>) t -> t, 0L),
                Arguments.of("last signature character changed", (UnaryOperator<String>) t -> t.substring(0, t.length() - 1) + (t.endsWith("A") ? "B" : "A"), 600L),
                Arguments.of("signature's unused last bits set", (UnaryOperator<String>) ServiceAccountTokensTest::lastCharacterLowBitFlipped, 600L),
                Arguments.of("payload of another account", (UnaryOperator<String>) t -> t.replaceFirst("\\.[^.]+\\.", "."
                        + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("ns1/admin/uid-1/9999999999".getBytes()) + "."), 600L),
                Arguments.of("another prefix", (UnaryOperator<String>) t -> t.replaceFirst("^jvirt-sa", "jvirt-xx"), 600L),
                Arguments.of("no signature", (UnaryOperator<String>) t -> t.substring(0, t.lastIndexOf('.')), 600L),
                Arguments.of("not base64", (UnaryOperator<String>) t -> "jvirt-sa.!!!.!!!", 600L));
    }

    /**
     * The same signature bytes spelled another way: a 32-byte HMAC is 43 base64 characters whose last one carries 2 bits
     * no decoder reads, so flipping its lowest bit changes the text and not the decoded bytes.
     */
    private static String lastCharacterLowBitFlipped(String token) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(token.charAt(token.length() - 1));
        return token.substring(0, token.length() - 1) + alphabet.charAt(last ^ 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void tamperedOrExpiredTokensAreRefused(String what, UnaryOperator<String> change, long validSeconds) throws Exception {
        ServiceAccountTokens tokens = ServiceAccountTokens.open(dir.resolve("k"), CLOCK);
        String token = tokens.issue("ns1", "robot", "uid-1", NOW.plusSeconds(validSeconds));
        assertEquals(Optional.empty(), tokens.verify(change.apply(token)), what);
    }

    @Test
    void anotherKeyDoesNotVerify() throws Exception {
        String token = ServiceAccountTokens.open(dir.resolve("a"), CLOCK).issue("ns1", "robot", "uid-1", NOW.plusSeconds(600));
        assertTrue(ServiceAccountTokens.open(dir.resolve("b"), CLOCK).verify(token).isEmpty());
    }
}

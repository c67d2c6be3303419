package io.jvirt.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DockerConfigTest {
    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0} for {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            127.0.0.1:5000                | 127.0.0.1:5000 | alice
            http://127.0.0.1:5000/v2/     | 127.0.0.1:5000 | alice
            https://index.docker.io/v1/   | docker.io      | alice
            registry-1.docker.io          | docker.io      | alice
            quay.io                       | quay.io        | alice
            quay.io                       | quay.io:443    | -
            127.0.0.1:5000                | 127.0.0.1:5001 | -
            """)
    void findsCredentialsAsKubeletMatchesKeys(String key, String registry, String user) {
        String json = "{\"auths\":{\"" + key + "\":{\"auth\":\"" + b64("alice:s3:cret") + "\"}}}";
        DockerConfig config = DockerConfig.parse(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(user, config.lookup(registry).map(Credentials::username).orElse(null));
        config.lookup(registry).ifPresent(c -> assertEquals("s3:cret", c.password()));
    }

    @org.junit.jupiter.api.Test
    void readsUsernamePasswordAndTheOldDockercfg() {
        DockerConfig a = DockerConfig.parse("{\"auths\":{\"r:1\":{\"username\":\"u\",\"password\":\"p\"}}}".getBytes(StandardCharsets.UTF_8));
        assertEquals(new Credentials("u", "p"), a.lookup("r:1").orElseThrow());
        DockerConfig b = DockerConfig.parse(("{\"r:2\":{\"auth\":\"" + b64("v:q") + "\"}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(new Credentials("v", "q"), b.lookup("r:2").orElseThrow());
        assertFalse(new Credentials("u", "secret").toString().contains("secret"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            not json                                    | not JSON
            []                                          | not a JSON object
            '{"auths":{"r":{"auth":"%%%"}}}'            | not base64
            '{"auths":{"r":{"auth":"bm9jb2xvbg=="}}}'   | not user:password
            """)
    void refusesBadConfigsWithoutQuotingThem(String json, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DockerConfig.parse(json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}

package io.jvirt.converter.cloudinit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.api.meta.LocalObjectReference;
import io.jvirt.api.v1.CloudInitNoCloudSource;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CloudInitDataTest {
    private static final Map<String, Map<String, byte[]>> SECRETS = Map.of(
            "s1", Map.of("userdata", bytes("from-secret"), "networkdata", bytes("net-from-secret")),
            "s2", Map.of("userData", bytes("camel")));

    private static CloudInitNoCloudSource src(String user, String user64, String secret, String net, String net64) {
        return new CloudInitNoCloudSource(user, user64, secret == null ? null : new LocalObjectReference(secret, null),
                net, net64, null, null);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", textBlock = """
        inline,        hello,  -,         -,  -,     -,          hello,        -
        base64,        -,      aGVsbG8=,  -,  -,     -,          hello,        -
        secret,        -,      -,         s1, -,     -,          from-secret,  net-from-secret
        secret-camel,  -,      -,         s2, -,     -,          camel,        -
        network,       u,      -,         -,  n,     -,          u,            n
        network64,     u,      -,         -,  -,     bg==,       u,            n
        nothing,       -,      -,         -,  -,     -,          '',           -
        """)
    void resolves(String name, String user, String user64, String secret, String net, String net64, String expectUser, String expectNet) {
        CloudInitData d = CloudInitData.of("v", src(user, user64, secret, net, net64), SECRETS);
        assertEquals(expectUser, new String(d.userData(), StandardCharsets.UTF_8));
        if (expectNet == null) {
            assertNull(d.networkData());
        } else {
            assertEquals(expectNet, new String(d.networkData(), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", textBlock = """
        two sources,     a,  YQ==,  -,       only one of
        bad base64,      -,  '%%%', -,       not valid base64
        unknown secret,  -,  -,     missing, no content for secret 'missing'
        """)
    void refuses(String name, String user, String user64, String secret, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CloudInitData.of("v", src(user, user64, secret, null, null), SECRETS));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.jvirt.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthChallengeTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            'Basic realm="basic-realm"'                                                            | basic  | realm=basic-realm
            'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"' | bearer | realm=https://auth.example/token;service=registry.example;scope=repository:a/b:pull
            'bearer realm="http://127.0.0.1:8/t", service="s"'                                     | bearer | realm=http://127.0.0.1:8/t;service=s
            'Bearer realm=http://x/t,service=reg'                                                  | bearer | realm=http://x/t;service=reg
            'Bearer realm="a \\"quoted\\" realm",error="invalid_token"'                           | bearer | realm=a "quoted" realm;error=invalid_token
            'Bearer realm="r", Basic realm="other"'                                                | bearer | realm=r
            'Basic'                                                                                | basic  | -
            """)
    void readsTheFirstChallenge(String header, String scheme, String params) {
        AuthChallenge c = AuthChallenge.parse(header);
        assertEquals(scheme, c.scheme());
        Map<String, String> expected = new LinkedHashMap<>();
        if (params != null) {
            for (String kv : params.split(";")) {
                expected.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        assertEquals(expected, c.params());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            ''
            '="x"'
            'Bearer realm="unterminated'
            """)
    void refusesMalformedHeaders(String header) {
        assertThrows(IllegalArgumentException.class, () -> AuthChallenge.parse(header));
    }
}

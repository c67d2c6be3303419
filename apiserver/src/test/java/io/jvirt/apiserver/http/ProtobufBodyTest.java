package io.jvirt.apiserver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bodies captured from kubectl 1.32.5 ({@code -v=9}) decode to the objects kubectl meant. */
class ProtobufBodyTest {
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "6b3873000a0f0a0276311209436f6e6669674d617012250a130a03636d3112001a0022002a0032003800420012060a016112016212060a01631201641a002200"
            + "| {'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'cm1'},'data':{'a':'b','c':'d'}}",
        "6b3873000a0c0a0276311206536563726574121e0a120a02733112001a0022002a0032003800420012060a016b1201761a001a002200"
            + "| {'apiVersion':'v1','kind':'Secret','metadata':{'name':'s1'},'data':{'k':'dg=='}}",
        // kubectl create token robot --audience api --duration 1h, encoded by hand from authentication.k8s.io/v1's generated.proto
        "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e5265717565737412150a070a05726f626f7412080a0361706920901c1a00"
            + "| {'apiVersion':'authentication.k8s.io/v1','kind':'TokenRequest','metadata':{'name':'robot'},'spec':{'audiences':['api'],'expirationSeconds':3600}}",
    })
    void decodesKubectlBodies(String hex, String expected) throws Exception {
        byte[] body = HexFormat.of().parseHex(hex.replace(" ", ""));
        assertEquals(Codec.JSON.readTree(expected.replace('\'', '"')), ProtobufBody.decode(body));
    }
}

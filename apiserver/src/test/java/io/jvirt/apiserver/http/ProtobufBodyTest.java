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
    })
    void decodesKubectlBodies(String hex, String expected) throws Exception {
        byte[] body = HexFormat.of().parseHex(hex.replace(" ", ""));
        assertEquals(Codec.JSON.readTree(expected.replace('\'', '"')), ProtobufBody.decode(body));
    }
}

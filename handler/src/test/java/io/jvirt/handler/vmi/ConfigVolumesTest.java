package io.jvirt.handler.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The downward API's files as kubelet writes them, from the launcher pod's metadata. */
class ConfigVolumesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMeta POD = new ObjectMetaBuilder().withName("virt-launcher-vm1-abcde").withNamespace("ns1").withUid("u-1")
            .withLabels(Map.of("kubevirt.io", "virt-launcher", "app", "demo")).withAnnotations(Map.of("note", "say \"hi\"")).build();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        metadata.name                  | virt-launcher-vm1-abcde
        metadata.namespace             | ns1
        metadata.uid                   | u-1
        metadata.labels                | app="demo"\\nkubevirt.io="virt-launcher"
        metadata.annotations           | note="say \\"hi\\""
        metadata.labels['app']         | demo
        metadata.labels['missing']     | ''
        metadata.annotations['note']   | say "hi"
        """)
    void fieldRefs(String fieldPath, String expected) throws Exception {
        Map<String, byte[]> files = ConfigVolumes.downwardApiFiles("d", POD,
                JSON.readTree("[{\"path\":\"out\",\"fieldRef\":{\"fieldPath\":\"" + fieldPath + "\"}}]"));
        assertEquals(expected.replace("\\n", "\n"), new String(files.get("out"), StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        {"path":"x","fieldRef":{"fieldPath":"spec.nodeName"}}                        | fieldPath 'spec.nodeName' is not supported in a volume
        {"path":"x","resourceFieldRef":{"resource":"limits.memory"}}                  | only fieldRef is supported
        """)
    void unsupportedFieldsAreRefusedByName(String field, String expected) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ConfigVolumes.downwardApiFiles("d", POD, JSON.readTree("[" + field + "]")));
        assertTrue(e.getMessage().startsWith("volume d: ") && e.getMessage().contains(expected), e.getMessage());
    }
}

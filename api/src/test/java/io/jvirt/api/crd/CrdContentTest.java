package io.jvirt.api.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The names, columns and subresources each shipped CRD must have (what kubectl shows KubeVirt users). */
class CrdContentTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            virtualmachines.kubevirt.io.yaml | VirtualMachine | kubevirt.io | v1 | vm vms | Age Status Ready | status
            virtualmachineinstances.kubevirt.io.yaml | VirtualMachineInstance | kubevirt.io | v1 | vmi vmis | Age Phase IP NodeName Ready Live-Migratable:1 Paused:1 | status
            virtualmachineinstancereplicasets.kubevirt.io.yaml | VirtualMachineInstanceReplicaSet | kubevirt.io | v1 | vmirs vmirss | Desired Current Ready Age | status scale
            virtualmachineinstancemigrations.kubevirt.io.yaml | VirtualMachineInstanceMigration | kubevirt.io | v1 | vmim vmims | Phase VMI | status
            kubevirts.kubevirt.io.yaml | KubeVirt | kubevirt.io | v1 | kv kvs | Age Phase | status
            datavolumes.cdi.kubevirt.io.yaml | DataVolume | cdi.kubevirt.io | v1beta1 | dv dvs | Phase Progress Restarts Age | status
            """)
    void crdNamesColumnsAndSubresources(String file, String kind, String group, String version, String shortNames,
                                        String columns, String subresources) {
        JsonNode crd = CrdFiles.read(file);
        JsonNode spec = crd.path("spec");
        JsonNode served = spec.path("versions").path(0);
        assertEquals("apiextensions.k8s.io/v1", crd.path("apiVersion").asText());
        assertEquals(kind, spec.path("names").path("kind").asText());
        assertEquals(kind + "List", spec.path("names").path("listKind").asText());
        assertEquals(group, spec.path("group").asText());
        assertEquals(spec.path("names").path("plural").asText() + "." + group, crd.path("metadata").path("name").asText());
        assertEquals("Namespaced", spec.path("scope").asText());
        assertEquals(version, served.path("name").asText());
        assertEquals(1, spec.path("versions").size());
        assertEquals(List.of(shortNames.split(" ")), texts(spec.path("names").path("shortNames")));
        assertEquals(List.of("all"), texts(spec.path("names").path("categories")));

        List<String> shown = new ArrayList<>();
        for (JsonNode column : served.path("additionalPrinterColumns")) {
            int priority = column.path("priority").asInt(0);
            shown.add(column.path("name").asText() + (priority == 0 ? "" : ":" + priority));
        }
        assertEquals(List.of(columns.split(" ")), shown);

        List<String> actualSubresources = new ArrayList<>();
        served.path("subresources").fieldNames().forEachRemaining(actualSubresources::add);
        assertEquals(List.of(subresources.split(" ")), actualSubresources);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            virtualmachines.kubevirt.io.yaml | Status | .status.printableStatus
            virtualmachines.kubevirt.io.yaml | Ready | .status.conditions[?(@.type=='Ready')].status
            virtualmachineinstances.kubevirt.io.yaml | IP | .status.interfaces[0].ipAddress
            virtualmachineinstances.kubevirt.io.yaml | NodeName | .status.nodeName
            virtualmachineinstances.kubevirt.io.yaml | Live-Migratable | .status.conditions[?(@.type=='LiveMigratable')].status
            virtualmachineinstances.kubevirt.io.yaml | Paused | .status.conditions[?(@.type=='Paused')].status
            virtualmachineinstancereplicasets.kubevirt.io.yaml | Desired | .spec.replicas
            virtualmachineinstancemigrations.kubevirt.io.yaml | VMI | .spec.vmiName
            datavolumes.cdi.kubevirt.io.yaml | Restarts | .status.restartCount
            """)
    void columnJsonPaths(String file, String column, String jsonPath) {
        JsonNode columns = CrdFiles.read(file).path("spec").path("versions").path(0).path("additionalPrinterColumns");
        String actual = null;
        for (JsonNode c : columns) {
            if (column.equals(c.path("name").asText())) {
                actual = c.path("jsonPath").asText();
            }
        }
        assertEquals(jsonPath, actual);
    }

    @ParameterizedTest
    @CsvSource({"specReplicasPath, .spec.replicas", "statusReplicasPath, .status.replicas", "labelSelectorPath, .status.labelSelector"})
    void replicaSetScaleSubresource(String field, String path) {
        JsonNode scale = CrdFiles.read("virtualmachineinstancereplicasets.kubevirt.io.yaml")
                .path("spec").path("versions").path(0).path("subresources").path("scale");
        assertEquals(path, scale.path(field).asText());
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}

package io.jvirt.api.crd;

import static io.jvirt.api.crd.PrinterColumn.age;
import static io.jvirt.api.crd.PrinterColumn.column;
import static io.jvirt.api.crd.PrinterColumn.condition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.jvirt.api.ExampleDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates the CustomResourceDefinition YAML of the KubeVirt and CDI kinds jvirt serves from KubeVirt's
 * swagger document: one file per CRD, {@code <plural>.<group>.yaml}, checked in under
 * {@code api/src/main/resources/io/jvirt/api/crds/} and loaded from there by the embedded API server and by
 * cluster mode. A maintenance tool of the conformance run: {@link CrdGeneratorTest} ({@code ./conformance})
 * fails when the checked-in files differ from the output; {@code ./conformance -Djvirt.crd.rewrite=true}
 * makes it write them instead. {@code ./test} never reads the spec. Deterministic: same input, same bytes.
 */
final class CrdGenerator {

    static final List<CrdKind> KINDS = List.of(
            new CrdKind("kubevirt.io", "v1", "VirtualMachine", "virtualmachines", "virtualmachine",
                    List.of("vm", "vms"), "v1.VirtualMachine", null, false,
                    List.of(age(), column("Status", "string", ".status.printableStatus"), condition("Ready", "Ready", 0)),
                    "A virtual machine: the template of its instance and whether it should run."),
            new CrdKind("kubevirt.io", "v1", "VirtualMachineInstance", "virtualmachineinstances", "virtualmachineinstance",
                    List.of("vmi", "vmis"), "v1.VirtualMachineInstance", null, false,
                    List.of(age(),
                            column("Phase", "string", ".status.phase"),
                            column("IP", "string", ".status.interfaces[0].ipAddress"),
                            column("NodeName", "string", ".status.nodeName"),
                            condition("Ready", "Ready", 0),
                            condition("Live-Migratable", "LiveMigratable", 1),
                            condition("Paused", "Paused", 1)),
                    "A running virtual machine: one guest process on a node."),
            new CrdKind("kubevirt.io", "v1", "VirtualMachineInstanceReplicaSet", "virtualmachineinstancereplicasets",
                    "virtualmachineinstancereplicaset", List.of("vmirs", "vmirss"), "v1.VirtualMachineInstanceReplicaSet",
                    null, true,
                    List.of(column("Desired", "integer", ".spec.replicas"),
                            column("Current", "integer", ".status.replicas"),
                            column("Ready", "integer", ".status.readyReplicas"),
                            age()),
                    "Keeps a number of identical virtual machine instances running."),
            new CrdKind("kubevirt.io", "v1", "VirtualMachineInstanceMigration", "virtualmachineinstancemigrations",
                    "virtualmachineinstancemigration", List.of("vmim", "vmims"), "v1.VirtualMachineInstanceMigration",
                    null, false,
                    List.of(column("Phase", "string", ".status.phase"), column("VMI", "string", ".spec.vmiName")),
                    "A request to move a running virtual machine instance to another node."),
            new CrdKind("kubevirt.io", "v1", "KubeVirt", "kubevirts", "kubevirt", List.of("kv", "kvs"), "v1.KubeVirt",
                    null, false, List.of(age(), column("Phase", "string", ".status.phase")),
                    "The installation and cluster-wide configuration of the virtualization components."),
            new CrdKind("cdi.kubevirt.io", "v1beta1", "DataVolume", "datavolumes", "datavolume", List.of("dv", "dvs"),
                    null, "v1beta1.DataVolumeSpec", false,
                    List.of(column("Phase", "string", ".status.phase"),
                            column("Progress", "string", ".status.progress"),
                            column("Restarts", "integer", ".status.restartCount"),
                            age()),
                    "A disk image imported, uploaded or cloned into a persistent volume claim."),
            new CrdKind("instancetype.kubevirt.io", "v1beta1", "VirtualMachineInstancetype", "virtualmachineinstancetypes",
                    "virtualmachineinstancetype", List.of("vminstancetype", "vminstancetypes", "vmf", "vmfs"),
                    "v1beta1.VirtualMachineInstancetype", null, false, List.of(),
                    "A named size for virtual machines in one namespace: guest CPUs, memory and the resources tied to them.",
                    false, true, false),
            new CrdKind("instancetype.kubevirt.io", "v1beta1", "VirtualMachineClusterInstancetype",
                    "virtualmachineclusterinstancetypes", "virtualmachineclusterinstancetype",
                    List.of("vmclusterinstancetype", "vmclusterinstancetypes", "vmcf", "vmcfs"),
                    "v1beta1.VirtualMachineClusterInstancetype", null, false, List.of(),
                    "A named size for virtual machines of every namespace: guest CPUs, memory and the resources tied to them.",
                    true, false, false),
            new CrdKind("instancetype.kubevirt.io", "v1beta1", "VirtualMachinePreference", "virtualmachinepreferences",
                    "virtualmachinepreference", List.of("vmpref", "vmprefs", "vmp", "vmps"),
                    "v1beta1.VirtualMachinePreference", null, false, List.of(),
                    "Preferred devices and settings for virtual machines of one namespace, used where the VM leaves them unset.",
                    false, true, false),
            new CrdKind("instancetype.kubevirt.io", "v1beta1", "VirtualMachineClusterPreference",
                    "virtualmachineclusterpreferences", "virtualmachineclusterpreference", List.of("vmcp", "vmcps"),
                    "v1beta1.VirtualMachineClusterPreference", null, false, List.of(),
                    "Preferred devices and settings for virtual machines of every namespace, used where the VM leaves them unset.",
                    true, false, false),
            new CrdKind("pool.kubevirt.io", "v1beta1", "VirtualMachinePool", "virtualmachinepools", "virtualmachinepool",
                    List.of("vmpool", "vmpools"), "v1beta1.VirtualMachinePool", null, true,
                    List.of(column("Desired", "integer", ".spec.replicas"),
                            column("Current", "integer", ".status.replicas"),
                            column("Ready", "integer", ".status.readyReplicas"),
                            age()),
                    "Keeps a number of virtual machines made from one template, named after the pool and an index."));

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());
    private static final ObjectMapper JSON = new ObjectMapper();

    private CrdGenerator() {}

    /** File name to YAML text of every CRD, in {@link #KINDS} order. */
    static Map<String, String> generate(JsonNode swagger) {
        Map<String, String> files = new LinkedHashMap<>();
        for (CrdKind kind : KINDS) {
            try {
                files.put(kind.fileName(), YAML.writeValueAsString(crd(kind, new SchemaConverter(swagger))));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write " + kind.fileName(), e);
            }
        }
        return files;
    }

    static ObjectNode crd(CrdKind kind, SchemaConverter converter) {
        ObjectNode crd = JSON.createObjectNode();
        crd.put("apiVersion", "apiextensions.k8s.io/v1");
        crd.put("kind", "CustomResourceDefinition");
        ObjectNode metadata = crd.putObject("metadata");
        metadata.put("name", kind.crdName());
        metadata.putObject("labels").put("app.kubernetes.io/part-of", "jvirt");
        ObjectNode spec = crd.putObject("spec");
        spec.put("group", kind.group());
        ObjectNode names = spec.putObject("names");
        names.put("kind", kind.kind());
        names.put("listKind", kind.kind() + "List");
        names.put("plural", kind.plural());
        names.put("singular", kind.singular());
        kind.shortNames().forEach(names.putArray("shortNames")::add);
        if (kind.inAll()) {
            names.putArray("categories").add("all");
        }
        spec.put("scope", kind.clusterScoped() ? "Cluster" : "Namespaced");
        ObjectNode version = spec.putArray("versions").addObject();
        version.put("name", kind.version());
        version.put("served", true);
        version.put("storage", true);
        ArrayNode columns = kind.columns().isEmpty() ? JSON.createArrayNode() : version.putArray("additionalPrinterColumns");
        for (PrinterColumn column : kind.columns()) {
            ObjectNode c = columns.addObject();
            c.put("name", column.name());
            c.put("type", column.type());
            c.put("jsonPath", column.jsonPath());
            if (column.priority() != 0) {
                c.put("priority", column.priority());
            }
        }
        ObjectNode schema = kind.definition() != null ? converter.root(kind.definition()) : assembled(kind, converter);
        ObjectNode described = JSON.createObjectNode().put("description", kind.description());
        described.setAll(schema);
        version.putObject("schema").set("openAPIV3Schema", described);
        if (!kind.status() && !kind.scale()) {
            return crd;
        }
        ObjectNode subresources = version.putObject("subresources");
        if (kind.status()) {
            subresources.putObject("status");
        }
        if (kind.scale()) {
            ObjectNode scale = subresources.putObject("scale");
            scale.put("specReplicasPath", ".spec.replicas");
            scale.put("statusReplicasPath", ".status.replicas");
            scale.put("labelSelectorPath", ".status.labelSelector");
        }
        return crd;
    }

    /**
     * A kind whose top-level definition the swagger lacks (DataVolume): apiVersion, kind, metadata, the
     * spec from the swagger and CDI's status fields (phase, progress, restartCount, claimName, conditions).
     */
    private static ObjectNode assembled(CrdKind kind, SchemaConverter converter) {
        ObjectNode condition = SchemaConverter.object(Map.of(
                "type", SchemaConverter.scalar("string"),
                "status", SchemaConverter.scalar("string"),
                "reason", SchemaConverter.scalar("string"),
                "message", SchemaConverter.scalar("string"),
                "lastTransitionTime", SchemaConverter.scalar("string").put("format", "date-time"),
                "lastHeartbeatTime", SchemaConverter.scalar("string").put("format", "date-time")));
        condition.putArray("required").add("type").add("status");
        ObjectNode conditions = SchemaConverter.scalar("array");
        conditions.set("items", condition);
        ObjectNode status = SchemaConverter.object(Map.of(
                "phase", SchemaConverter.scalar("string"),
                "progress", SchemaConverter.scalar("string"),
                "restartCount", SchemaConverter.scalar("integer").put("format", "int32"),
                "claimName", SchemaConverter.scalar("string"),
                "conditions", conditions));
        ObjectNode root = SchemaConverter.object(Map.of(
                "apiVersion", SchemaConverter.scalar("string"),
                "kind", SchemaConverter.scalar("string"),
                "metadata", SchemaConverter.scalar("object"),
                "spec", converter.definition(kind.specDefinition()),
                "status", status));
        root.putArray("required").add("spec");
        return root;
    }

    /** KubeVirt's swagger document in the reference directory ({@link ExampleDirs#reference()}: the conformance run's). */
    static JsonNode readSwagger() throws IOException {
        Path swagger = ExampleDirs.reference().resolve("kubevirt-openapi-swagger.json");
        if (!Files.isRegularFile(swagger)) {
            throw new IOException("KubeVirt's OpenAPI spec not found at " + swagger + " (set JVIRT_REFERENCE_DIR or -Djvirt.reference.dir)");
        }
        return JSON.readTree(swagger.toFile());
    }

    /** Writes every generated file into {@code directory}. */
    static void write(Map<String, String> files, Path directory) throws IOException {
        Files.createDirectories(directory);
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(directory.resolve(file.getKey()), file.getValue());
        }
    }

    /** {@code CrdGenerator <output directory>}: regenerates the CRD files. */
    public static void main(String[] args) throws IOException {
        write(generate(readSwagger()), Path.of(args[0]));
    }
}

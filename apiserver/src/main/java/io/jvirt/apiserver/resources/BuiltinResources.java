package io.jvirt.apiserver.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in (non-CRD) resources jvirt serves: a core v1 subset, EndpointSlice, Lease, StorageClass, PriorityClass, ControllerRevision
 * (where KubeVirt keeps the instancetype and preference a VM was started with),
 * CustomResourceDefinition itself, RBAC's four kinds and the self-reviews of authorization.k8s.io (answered,
 * never stored). Their schemas keep unknown fields (the real apiserver validates
 * these with compiled types; jvirt stores them as given) and their tables show the usual columns.
 */
public final class BuiltinResources {
    private BuiltinResources() {}

    private static final PrinterColumn AGE = new PrinterColumn("Age", "date", "", "CreationTimestamp", ".metadata.creationTimestamp", 0);

    public static List<ResourceType> all() {
        List<ResourceType> t = new ArrayList<>();
        t.add(core("Namespace", "namespaces", false, List.of("ns"), List.of(), true,
                col("Status", ".status.phase", 0)));
        t.add(core("Pod", "pods", true, List.of("po"), List.of("all"), true,
                col("Status", ".status.phase", 0), col("IP", ".status.podIP", 1), col("Node", ".spec.nodeName", 1)));
        t.add(core("Event", "events", true, List.of("ev"), List.of(), false,
                col("Type", ".type", 0), col("Reason", ".reason", 0), col("Object", ".involvedObject.name", 0),
                col("Message", ".message", 0)));
        t.add(core("ConfigMap", "configmaps", true, List.of("cm"), List.of(), false));
        t.add(core("Secret", "secrets", true, List.of(), List.of(), false, col("Type", ".type", 0)));
        t.add(core("Service", "services", true, List.of("svc"), List.of("all"), true,
                col("Type", ".spec.type", 0), col("Cluster-IP", ".spec.clusterIP", 0)));
        t.add(core("Endpoints", "endpoints", true, List.of("ep"), List.of(), false));
        t.add(type("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, List.of(), List.of(), false,
                col("AddressType", ".addressType", 0), col("Ports", ".ports[*].port", 0), col("Endpoints", ".endpoints[*].addresses[0]", 0)));
        t.add(core("PersistentVolumeClaim", "persistentvolumeclaims", true, List.of("pvc"), List.of(), true,
                col("Status", ".status.phase", 0), col("Volume", ".spec.volumeName", 0),
                col("Capacity", ".status.capacity.storage", 0), col("StorageClass", ".spec.storageClassName", 0)));
        t.add(core("PersistentVolume", "persistentvolumes", false, List.of("pv"), List.of(), true,
                col("Capacity", ".spec.capacity.storage", 0), col("Status", ".status.phase", 0),
                col("Claim", ".spec.claimRef.name", 0), col("StorageClass", ".spec.storageClassName", 0)));
        t.add(core("Node", "nodes", false, List.of("no"), List.of(), true,
                new PrinterColumn("Status", "string", "", "Status", "", 0, BuiltinResources::nodeStatus),
                new PrinterColumn("Roles", "string", "", "Roles", "", 0, BuiltinResources::nodeRoles), AGE,
                col("Version", ".status.nodeInfo.kubeletVersion", 0),
                new PrinterColumn("Internal-IP", "string", "", "Internal-IP", "", 1, n -> nodeAddress(n, "InternalIP")),
                new PrinterColumn("External-IP", "string", "", "External-IP", "", 1, n -> nodeAddress(n, "ExternalIP")),
                col("OS-Image", ".status.nodeInfo.osImage", 1), col("Kernel-Version", ".status.nodeInfo.kernelVersion", 1),
                col("Container-Runtime", ".status.nodeInfo.containerRuntimeVersion", 1)));
        t.add(core("ServiceAccount", "serviceaccounts", true, List.of("sa"), List.of(), false));
        t.add(type("coordination.k8s.io", "v1", "Lease", "leases", true, List.of(), List.of(), false,
                col("Holder", ".spec.holderIdentity", 0)));
        t.add(type("apps", "v1", "ControllerRevision", "controllerrevisions", true, List.of(), List.of(), false,
                new PrinterColumn("Controller", "string", "", "Controller", "", 0, BuiltinResources::controllerOf),
                new PrinterColumn("Revision", "integer", "", "Revision", ".revision", 0)));
        t.add(type("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, List.of("sc"), List.of(), false,
                col("Provisioner", ".provisioner", 0), col("ReclaimPolicy", ".reclaimPolicy", 0)));
        t.add(type("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, List.of("pc"), List.of(), false,
                col("Value", ".value", 0),
                new PrinterColumn("Global-Default", "boolean", "", "Global-Default", "", 0, pc -> String.valueOf(pc.path("globalDefault").asBoolean(false))), AGE, col("PreemptionPolicy", ".preemptionPolicy", 0)));
        t.add(type("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false,
                List.of("crd", "crds"), List.of("api-extensions"), true, col("Created At", ".metadata.creationTimestamp", 0)));
        String rbac = "rbac.authorization.k8s.io";
        t.add(type(rbac, "v1", "ClusterRole", "clusterroles", false, List.of(), List.of(), false));
        t.add(type(rbac, "v1", "ClusterRoleBinding", "clusterrolebindings", false, List.of(), List.of(), false,
                col("Role", ".roleRef.name", 0)));
        t.add(type(rbac, "v1", "Role", "roles", true, List.of(), List.of(), false));
        t.add(type(rbac, "v1", "RoleBinding", "rolebindings", true, List.of(), List.of(), false, col("Role", ".roleRef.name", 0)));
        t.add(type("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false,
                List.of(), List.of(), false));
        t.add(type("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false,
                List.of(), List.of(), false));
        // CDI's upload token (answered with its token, never stored; see UploadEndpoint)
        t.add(type("upload.cdi.kubevirt.io", "v1beta1", "UploadTokenRequest", "uploadtokenrequests", true,
                List.of(), List.of(), false));
        return t;
    }

    /** kubectl's node status: Ready, NotReady or Unknown from the Ready condition, plus ",SchedulingDisabled" when cordoned. */
    public static String nodeStatus(JsonNode node) {
        String ready = "Unknown";
        for (JsonNode c : node.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asText())) {
                ready = switch (c.path("status").asText()) {
                    case "True" -> "Ready";
                    case "False" -> "NotReady";
                    default -> "Unknown";
                };
            }
        }
        return node.path("spec").path("unschedulable").asBoolean(false) ? ready + ",SchedulingDisabled" : ready;
    }

    /** kubectl's node roles: the X of each {@code node-role.kubernetes.io/X} label, sorted, or {@code <none>}. */
    public static String nodeRoles(JsonNode node) {
        java.util.TreeSet<String> roles = new java.util.TreeSet<>();
        node.path("metadata").path("labels").fieldNames().forEachRemaining(l -> {
            if (l.startsWith("node-role.kubernetes.io/") && l.length() > "node-role.kubernetes.io/".length()) {
                roles.add(l.substring("node-role.kubernetes.io/".length()));
            }
        });
        return roles.isEmpty() ? "<none>" : String.join(",", roles);
    }

    /** kubectl's controller column: {@code <resource>.<group>/<name>} of the controlling owner, or {@code <none>}. */
    public static String controllerOf(JsonNode object) {
        for (JsonNode o : object.path("metadata").path("ownerReferences")) {
            if (!o.path("controller").asBoolean(false)) continue;
            String apiVersion = o.path("apiVersion").asText();
            String group = apiVersion.contains("/") ? "." + apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            return o.path("kind").asText().toLowerCase() + group + "/" + o.path("name").asText();
        }
        return "<none>";
    }

    /** The node's first address of {@code type} (InternalIP, ExternalIP), or {@code <none>}. */
    public static String nodeAddress(JsonNode node, String type) {
        for (JsonNode a : node.path("status").path("addresses")) {
            if (type.equals(a.path("type").asText())) return a.path("address").asText();
        }
        return "<none>";
    }

    private static PrinterColumn col(String name, String path, int priority) {
        return new PrinterColumn(name, "string", "", name, path, priority);
    }

    private static ResourceType core(String kind, String plural, boolean namespaced, List<String> shortNames,
                                     List<String> categories, boolean status, PrinterColumn... columns) {
        return type("", "v1", kind, plural, namespaced, shortNames, categories, status, columns);
    }

    private static ResourceType type(String group, String version, String kind, String plural, boolean namespaced,
                                     List<String> shortNames, List<String> categories, boolean status,
                                     PrinterColumn... columns) {
        List<PrinterColumn> cols = new ArrayList<>(List.of(columns));
        if (!kind.equals("CustomResourceDefinition") && !cols.contains(AGE)) cols.add(AGE);
        return new ResourceType(group, version, kind, plural, kind.toLowerCase(), namespaced, shortNames, categories,
                CoreSchemas.of(group, kind), List.copyOf(cols), status, null, true, version);
    }

    /** An object schema that accepts any fields (stored as sent). */
    static JsonNode looseSchema() {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        return s;
    }
}

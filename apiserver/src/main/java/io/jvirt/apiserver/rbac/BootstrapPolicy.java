package io.jvirt.apiserver.rbac;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.api.storage.UploadRelay;
import io.jvirt.apiserver.security.User;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The roles and bindings every jvirt API server has, reconciled at each start (see {@link RbacBootstrap}):
 * Kubernetes' user-facing roles {@code cluster-admin}, {@code admin}, {@code edit}, {@code view} (the last
 * three aggregated from roles labelled {@code rbac.authorization.k8s.io/aggregate-to-<role>}), the discovery
 * and self-review rights of every authenticated user, KubeVirt's aggregated {@code kubevirt.io:admin|edit|view}
 * (and CDI's for DataVolumes), and one narrow role per control-plane component ({@link ComponentIdentity}).
 * None of edit or view grants Secrets in the system namespaces, the KubeVirt CR's writes, node Leases or any
 * {@code /status}. Each object carries {@code rbac.authorization.kubernetes.io/autoupdate: "true"}:
 * at start its rules are put back unless an administrator set that annotation to {@code false}.
 */
public final class BootstrapPolicy {
    public static final String GROUP = "rbac.authorization.k8s.io";
    public static final String API_VERSION = GROUP + "/v1";
    public static final String CLUSTER_ADMIN = "cluster-admin";
    /** kube-apiserver's role (and group) for scraping metrics: {@code get} on {@code /metrics} and the health paths. */
    public static final String MONITORING = "system:monitoring";
    static final String AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate";
    static final String AGGREGATE = "rbac.authorization.k8s.io/aggregate-to-";
    /** Namespaces of the control plane: only RoleBindings there or cluster-admin grant Secrets and writes in them. */
    public static final List<String> SYSTEM_NAMESPACES = List.of("kube-system", "kube-node-lease", "kubevirt");

    private static final List<String> READ = List.of("get", "list", "watch");
    private static final List<String> WRITE = List.of("create", "delete", "deletecollection", "patch", "update");
    private static final List<String> ALL_VERBS = List.of("get", "list", "watch", "create", "delete", "deletecollection", "patch", "update");
    private static final List<String> STATUS = List.of("get", "patch", "update");
    private static final String KUBEVIRT = "kubevirt.io";
    private static final String SUBRESOURCES = "subresources.kubevirt.io";
    private static final String CDI = "cdi.kubevirt.io";
    private static final String INSTANCETYPE = "instancetype.kubevirt.io";
    private static final String POOL = "pool.kubevirt.io";
    private static final List<String> VM_KINDS = List.of("virtualmachines", "virtualmachineinstances",
            "virtualmachineinstancepresets", "virtualmachineinstancereplicasets");
    private static final List<String> NAMESPACED_SIZES = List.of("virtualmachineinstancetypes", "virtualmachinepreferences");
    private static final List<String> CLUSTER_SIZES = List.of("virtualmachineclusterinstancetypes", "virtualmachineclusterpreferences");

    private BootstrapPolicy() {}

    /** The bootstrap ClusterRoles. */
    public static List<ObjectNode> clusterRoles() {
        List<ObjectNode> out = new ArrayList<>();
        out.add(clusterRole(CLUSTER_ADMIN, Map.of(), List.of(
                PolicyRule.resources(List.of("*"), List.of("*"), List.of("*")),
                PolicyRule.paths(List.of("*"), List.of("*")))));
        for (String r : List.of("admin", "edit", "view")) out.add(aggregated(r, AGGREGATE + r));
        out.add(clusterRole("system:discovery", Map.of(), List.of(PolicyRule.paths(List.of("get"), List.of(
                "/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*", "/version", "/version/",
                "/healthz", "/livez", "/readyz")))));
        out.add(clusterRole(MONITORING, Map.of(), List.of(PolicyRule.paths(List.of("get"), List.of(
                "/metrics", "/metrics/slis", "/metrics/kubevirt", "/healthz", "/healthz/*", "/livez", "/livez/*", "/readyz", "/readyz/*")))));
        out.add(clusterRole("system:basic-user", Map.of(), List.of(PolicyRule.resources(List.of("create"),
                List.of("authorization.k8s.io"), List.of("selfsubjectaccessreviews", "selfsubjectrulesreviews")))));

        // metrics-server's role: kubectl top for everyone who may view
        out.add(clusterRole("system:aggregated-metrics-reader", labels("view", "edit", "admin"), List.of(
                PolicyRule.resources(READ, List.of("metrics.k8s.io"), List.of("pods", "nodes")))));
        out.add(clusterRole("system:aggregate-to-view", labels("view", "edit", "admin"), List.of(
                PolicyRule.resources(READ, List.of(""), List.of("pods", "pods/status", "pods/log", "configmaps", "endpoints",
                        "persistentvolumeclaims", "persistentvolumeclaims/status", "services", "services/status",
                        "serviceaccounts", "events", "namespaces", "namespaces/status", "bindings")),
                PolicyRule.resources(READ, List.of("events.k8s.io"), List.of("events")),
                PolicyRule.resources(READ, List.of("discovery.k8s.io"), List.of("endpointslices")))));
        out.add(clusterRole("system:aggregate-to-edit", labels("edit", "admin"), List.of(
                PolicyRule.resources(WRITE, List.of(""), List.of("pods", "configmaps", "secrets", "services",
                        "persistentvolumeclaims", "serviceaccounts")),
                PolicyRule.resources(READ, List.of(""), List.of("secrets")))));
        out.add(clusterRole("system:aggregate-to-admin", labels("admin"), List.of(
                PolicyRule.resources(ALL_VERBS, List.of(GROUP), List.of("roles", "rolebindings")),
                PolicyRule.resources(List.of("create"), List.of("authorization.k8s.io"), List.of("localsubjectaccessreviews")))));

        List<PolicyRule> kubevirtWrite = List.of(
                PolicyRule.resources(List.of("get"), List.of(SUBRESOURCES), List.of("virtualmachineinstances/console",
                        "virtualmachineinstances/vnc", "virtualmachineinstances/vnc/screenshot", "virtualmachineinstances/portforward",
                        "virtualmachineinstances/guestosinfo", "virtualmachineinstances/filesystemlist",
                        "virtualmachineinstances/userlist", "virtualmachineinstances/usbredir", "virtualmachines/expand-spec",
                        "virtualmachines/portforward")),
                PolicyRule.resources(List.of("update"), List.of(SUBRESOURCES), List.of("virtualmachineinstances/pause",
                        "virtualmachineinstances/unpause", "virtualmachineinstances/softreboot", "virtualmachineinstances/reset",
                        "virtualmachineinstances/addvolume", "virtualmachineinstances/removevolume",
                        "virtualmachineinstances/freeze", "virtualmachineinstances/unfreeze",
                        "virtualmachines/start", "virtualmachines/stop", "virtualmachines/restart",
                        "virtualmachines/addvolume", "virtualmachines/removevolume", "virtualmachines/memorydump")),
                PolicyRule.resources(ALL_VERBS, List.of(KUBEVIRT), VM_KINDS),
                PolicyRule.resources(ALL_VERBS, List.of(POOL), List.of("virtualmachinepools", "virtualmachinepools/scale")),
                PolicyRule.resources(ALL_VERBS, List.of(INSTANCETYPE), NAMESPACED_SIZES),
                PolicyRule.resources(READ, List.of(INSTANCETYPE), CLUSTER_SIZES),
                PolicyRule.resources(READ, List.of(KUBEVIRT), List.of("virtualmachineinstancemigrations")));
        out.add(clusterRole("kubevirt.io:admin", labels("admin"), kubevirtWrite));
        out.add(clusterRole("kubevirt.io:edit", labels("edit"), kubevirtWrite));
        out.add(clusterRole("kubevirt.io:view", labels("view"), List.of(
                PolicyRule.resources(List.of("get"), List.of(SUBRESOURCES), List.of("virtualmachineinstances/guestosinfo",
                        "virtualmachineinstances/filesystemlist", "virtualmachineinstances/userlist", "virtualmachines/expand-spec")),
                PolicyRule.resources(READ, List.of(KUBEVIRT), concat(VM_KINDS, "virtualmachineinstancemigrations")),
                PolicyRule.resources(READ, List.of(POOL), List.of("virtualmachinepools")),
                PolicyRule.resources(READ, List.of(INSTANCETYPE), concat(NAMESPACED_SIZES, CLUSTER_SIZES)))));
        // every user may read the cluster-wide sizes and preferences (KubeVirt binds this to all authenticated users)
        out.add(clusterRole("instancetype.kubevirt.io:view", Map.of(), List.of(PolicyRule.resources(READ, List.of(INSTANCETYPE), CLUSTER_SIZES))));
        out.add(clusterRole("kubevirt.io:migrate", Map.of(), List.of(
                PolicyRule.resources(List.of("update"), List.of(SUBRESOURCES), List.of("virtualmachines/migrate")),
                PolicyRule.resources(ALL_VERBS, List.of(KUBEVIRT), List.of("virtualmachineinstancemigrations")))));
        out.add(clusterRole("kubevirt.io:default", Map.of(), List.of(
                PolicyRule.resources(List.of("get", "list"), List.of(KUBEVIRT), List.of("kubevirts")),
                PolicyRule.resources(List.of("get", "list"), List.of(SUBRESOURCES), List.of("version", "guestfs")))));
        List<PolicyRule> cdiWrite = List.of(PolicyRule.resources(ALL_VERBS, List.of(CDI), List.of("datavolumes")),
                PolicyRule.resources(List.of("create"), List.of(CDI), List.of("datavolumes/source")),
                PolicyRule.resources(List.of("create"), List.of("upload.cdi.kubevirt.io"), List.of("uploadtokenrequests")));
        out.add(clusterRole("cdi.kubevirt.io:admin", labels("admin"), cdiWrite));
        out.add(clusterRole("cdi.kubevirt.io:edit", labels("edit"), cdiWrite));
        out.add(clusterRole("cdi.kubevirt.io:view", labels("view"), List.of(PolicyRule.resources(READ, List.of(CDI), List.of("datavolumes")))));

        out.add(clusterRole(componentRole(ComponentIdentity.CONTROLLER), Map.of(), List.of(
                PolicyRule.resources(ALL_VERBS, List.of(KUBEVIRT), concat(VM_KINDS, "virtualmachineinstancemigrations")),
                PolicyRule.resources(STATUS, List.of(KUBEVIRT), List.of("virtualmachines/status", "virtualmachineinstances/status",
                        "virtualmachineinstancereplicasets/status", "virtualmachineinstancemigrations/status")),
                PolicyRule.resources(READ, List.of(KUBEVIRT), List.of("kubevirts")),
                PolicyRule.resources(READ, List.of(POOL), List.of("virtualmachinepools")),
                PolicyRule.resources(STATUS, List.of(POOL), List.of("virtualmachinepools/status")),
                PolicyRule.resources(READ, List.of(INSTANCETYPE), concat(NAMESPACED_SIZES, CLUSTER_SIZES)),
                // the common-instancetypes bundle, installed at start as KubeVirt's operator does
                PolicyRule.resources(List.of("create", "update", "patch"), List.of(INSTANCETYPE), CLUSTER_SIZES),
                PolicyRule.resources(List.of("get", "list", "watch", "create", "delete"), List.of("apps"), List.of("controllerrevisions")),
                // patch: the launcher-pod finalizer of a pod no node agent will tear down (never bound, or its Node is gone)
                PolicyRule.resources(List.of("get", "list", "watch", "create", "delete", "patch"), List.of(""), List.of("pods")),
                PolicyRule.resources(ALL_VERBS, List.of(CDI), List.of("datavolumes")),
                PolicyRule.resources(STATUS, List.of(CDI), List.of("datavolumes/status")),
                PolicyRule.resources(ALL_VERBS, List.of(""), List.of("persistentvolumeclaims", "persistentvolumes")),
                PolicyRule.resources(STATUS, List.of(""), List.of("persistentvolumeclaims/status", "persistentvolumes/status")),
                PolicyRule.resources(List.of("get", "list", "watch", "create"), List.of("storage.k8s.io"), List.of("storageclasses")),
                // a DataVolume's http source names its basic-auth Secret and CA ConfigMap (CDI's importer reads them too)
                PolicyRule.resources(List.of("get"), List.of(""), List.of("secrets", "configmaps")),
                PolicyRule.resources(READ, List.of(""), List.of("nodes")),
                // the endpoints controller: Services select launcher pods
                PolicyRule.resources(READ, List.of(""), List.of("services")),
                PolicyRule.resources(ALL_VERBS, List.of(""), List.of("endpoints")),
                PolicyRule.resources(ALL_VERBS, List.of("discovery.k8s.io"), List.of("endpointslices")),
                PolicyRule.resources(List.of("get", "create"), List.of(""), List.of("namespaces")),
                PolicyRule.resources(List.of("create", "patch", "update"), List.of("", "events.k8s.io"), List.of("events")))));
        out.add(clusterRole(componentRole(ComponentIdentity.SCHEDULER), Map.of(), List.of(
                PolicyRule.resources(READ, List.of(""), List.of("pods", "nodes")),
                PolicyRule.resources(List.of("create"), List.of(""), List.of("pods/binding", "bindings")),
                // volume binding: the node it picked, on WaitForFirstConsumer claims (kube-scheduler's selected-node)
                PolicyRule.resources(List.of("get", "list", "watch", "patch", "update"), List.of(""), List.of("persistentvolumeclaims")),
                PolicyRule.resources(List.of("patch", "update"), List.of(""), List.of("pods/status")),
                PolicyRule.resources(List.of("create", "patch", "update"), List.of("", "events.k8s.io"), List.of("events")))));
        out.add(clusterRole(componentRole(ComponentIdentity.NODE_AGENT), Map.of(), List.of(
                PolicyRule.resources(List.of("get", "list", "watch", "create", "patch", "update"), List.of(""), List.of("nodes")),
                PolicyRule.resources(STATUS, List.of(""), List.of("nodes/status", "pods/status")),
                PolicyRule.resources(READ, List.of(""), List.of("pods")),
                // its finalizer on launcher pods, held until QEMU has exited (KubeVirt's deletion order)
                PolicyRule.resources(List.of("patch", "update"), List.of(""), List.of("pods")),
                PolicyRule.resources(List.of("get"), List.of(""), List.of("namespaces")),
                PolicyRule.resources(READ, List.of(KUBEVIRT), List.of("virtualmachineinstances", "kubevirts")),
                PolicyRule.resources(STATUS, List.of(KUBEVIRT), List.of("virtualmachineinstances/status")),
                // the claims and local-path volumes of the VMIs it runs
                PolicyRule.resources(READ, List.of(""), List.of("persistentvolumeclaims", "persistentvolumes")),
                // the NetworkAttachmentDefinitions its VMIs' multus networks name (their CNI configuration)
                PolicyRule.resources(List.of("get"), List.of("k8s.cni.cncf.io"), List.of("network-attachment-definitions")),
                // the service proxy (kube-proxy's system:node-proxier): Services and their endpoints
                PolicyRule.resources(READ, List.of(""), List.of("services", "endpoints")),
                PolicyRule.resources(READ, List.of("discovery.k8s.io"), List.of("endpointslices")),
                PolicyRule.resources(List.of("create", "patch", "update"), List.of("", "events.k8s.io"), List.of("events")))));
        return out;
    }

    /** The bootstrap ClusterRoleBindings. */
    public static List<ObjectNode> clusterRoleBindings() {
        List<ObjectNode> out = new ArrayList<>();
        out.add(binding(null, CLUSTER_ADMIN, "ClusterRole", CLUSTER_ADMIN, subject("Group", User.MASTERS)));
        out.add(binding(null, "system:discovery", "ClusterRole", "system:discovery", subject("Group", User.AUTHENTICATED)));
        out.add(binding(null, "system:basic-user", "ClusterRole", "system:basic-user", subject("Group", User.AUTHENTICATED)));
        out.add(binding(null, MONITORING, "ClusterRole", MONITORING, subject("Group", MONITORING)));
        out.add(binding(null, "kubevirt.io:default", "ClusterRole", "kubevirt.io:default", subject("Group", User.AUTHENTICATED)));
        out.add(binding(null, "instancetype.kubevirt.io:view", "ClusterRole", "instancetype.kubevirt.io:view",
                subject("Group", User.AUTHENTICATED)));
        for (ComponentIdentity c : ComponentIdentity.values()) {
            out.add(binding(null, componentRole(c), "ClusterRole", componentRole(c), subject("User", c.userName())));
        }
        return out;
    }

    /** The bootstrap Roles, in the system namespaces: what the components write there. */
    public static List<ObjectNode> roles() {
        return List.of(
                role("kubevirt", componentRole(ComponentIdentity.CONTROLLER), List.of(
                        PolicyRule.resources(List.of("create", "patch", "update"), List.of(KUBEVIRT), List.of("kubevirts")),
                        PolicyRule.resources(STATUS, List.of(KUBEVIRT), List.of("kubevirts/status")),
                        PolicyRule.resources(List.of("create", "patch", "update"), List.of("", "events.k8s.io"), List.of("events")))),
                role("kube-node-lease", componentRole(ComponentIdentity.NODE_AGENT), List.of(
                        PolicyRule.resources(List.of("get", "create", "patch", "update"), List.of("coordination.k8s.io"), List.of("leases")))),
                role("kube-system", componentRole(ComponentIdentity.NODE_AGENT), List.of(
                        PolicyRule.resources(List.of("get", "create", "patch", "update"), List.of(""), List.of("secrets")))),
                // the upload receiver's relay Secret (UploadRelay): created, then read and changed by its name only
                role("kube-system", componentRole(ComponentIdentity.CONTROLLER), List.of(
                        PolicyRule.resources(List.of("create"), List.of(""), List.of("secrets")),
                        new PolicyRule(List.of("get", "patch", "update"), List.of(""), List.of("secrets"),
                                List.of(UploadRelay.SECRET_NAME), List.of()))));
    }

    /** The bootstrap RoleBindings, one per bootstrap Role, to its component. */
    public static List<ObjectNode> roleBindings() {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode r : roles()) {
            String ns = r.path("metadata").path("namespace").asText();
            String name = r.path("metadata").path("name").asText();
            ComponentIdentity c = name.equals(componentRole(ComponentIdentity.CONTROLLER)) ? ComponentIdentity.CONTROLLER : ComponentIdentity.NODE_AGENT;
            out.add(binding(ns, name, "Role", name, subject("User", c.userName())));
        }
        return out;
    }

    /** The ClusterRole (and Role) name of a component's rights. */
    public static String componentRole(ComponentIdentity c) {
        return switch (c) {
            case CONTROLLER -> "kubevirt.io:kubevirt-controller";
            case SCHEDULER -> "system:kube-scheduler";
            case NODE_AGENT -> "kubevirt.io:kubevirt-handler";
        };
    }

    /** A ClusterRoleBinding (namespace null) or RoleBinding of one subject. */
    public static ObjectNode binding(String namespace, String name, String roleKind, String roleName, ObjectNode subject) {
        ObjectNode o = object(namespace == null ? "ClusterRoleBinding" : "RoleBinding", namespace, name, Map.of());
        o.putObject("roleRef").put("apiGroup", GROUP).put("kind", roleKind).put("name", roleName);
        o.putArray("subjects").add(subject);
        return o;
    }

    /** A subject of {@code kind} User or Group. */
    public static ObjectNode subject(String kind, String name) {
        return JsonNodeFactory.instance.objectNode().put("apiGroup", GROUP).put("kind", kind).put("name", name);
    }

    private static ObjectNode clusterRole(String name, Map<String, String> labels, List<PolicyRule> rules) {
        ObjectNode o = object("ClusterRole", null, name, labels);
        ArrayNode a = o.putArray("rules");
        rules.forEach(r -> a.add(r.toJson()));
        return o;
    }

    private static ObjectNode role(String namespace, String name, List<PolicyRule> rules) {
        ObjectNode o = object("Role", namespace, name, Map.of());
        ArrayNode a = o.putArray("rules");
        rules.forEach(r -> a.add(r.toJson()));
        return o;
    }

    private static ObjectNode aggregated(String name, String label) {
        ObjectNode o = object("ClusterRole", null, name, Map.of());
        o.putObject("aggregationRule").putArray("clusterRoleSelectors").addObject().putObject("matchLabels").put(label, "true");
        o.putArray("rules");
        return o;
    }

    private static ObjectNode object(String kind, String namespace, String name, Map<String, String> labels) {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("apiVersion", API_VERSION).put("kind", kind);
        ObjectNode meta = o.putObject("metadata").put("name", name);
        if (namespace != null) meta.put("namespace", namespace);
        meta.putObject("annotations").put(AUTOUPDATE, "true");
        ObjectNode l = meta.putObject("labels").put("kubernetes.io/bootstrapping", "rbac-defaults");
        labels.forEach(l::put);
        return o;
    }

    private static Map<String, String> labels(String... aggregateTo) {
        Map<String, String> m = new java.util.TreeMap<>();
        for (String r : aggregateTo) m.put(AGGREGATE + r, "true");
        return m;
    }

    private static List<String> concat(List<String> list, String more) {
        return concat(list, List.of(more));
    }

    private static List<String> concat(List<String> list, List<String> more) {
        List<String> out = new ArrayList<>(list);
        out.addAll(more);
        return out;
    }
}

package io.jvirt.apiserver.subresources;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.api.v1.Versions;
import io.jvirt.apiserver.http.Codec;
import java.util.List;

/**
 * Discovery documents of the {@code subresources.kubevirt.io} group (versions v1 and v1alpha3, as
 * virt-api serves them): its APIGroup entry and the APIResourceList of each version. Pure.
 */
public final class SubresourceDiscovery {
    public static final String GROUP = "subresources.kubevirt.io";
    public static final List<String> VERSIONS = List.of("v1", "v1alpha3");

    /** VM subresources, all PUT (verb update). */
    static final List<String> VM_UPDATE = List.of("start", "stop", "restart", "migrate");
    /** VMI subresources written with PUT. */
    static final List<String> VMI_UPDATE = List.of("pause", "unpause", "softreboot", "reset");
    /** VMI subresources read with GET (console and vnc upgrade to a WebSocket). */
    static final List<String> VMI_GET = List.of("console", "vnc", "guestosinfo", "portforward");
    /** VM subresources read with GET (portforward upgrades to a WebSocket to the VM's VMI). */
    static final List<String> VM_GET = List.of("portforward");

    private SubresourceDiscovery() {}

    /** KubeVirt's {@code version.Info} as {@code GET .../subresources.kubevirt.io/v1/version} answers it (virtctl version). */
    public static ObjectNode version() {
        return Codec.NODES.objectNode().put("gitVersion", Versions.KUBEVIRT).put("gitCommit", "jvirt").put("gitTreeState", "clean")
                .put("buildDate", "").put("goVersion", "").put("compiler", "java " + Runtime.version().feature())
                .put("platform", "linux/amd64");
    }

    /** The group's entry for an APIGroupList, or with kind APIGroup when {@code standalone}. */
    public static ObjectNode group(boolean standalone) {
        ObjectNode g = Codec.NODES.objectNode();
        if (standalone) g.put("kind", "APIGroup").put("apiVersion", "v1");
        g.put("name", GROUP);
        ArrayNode vs = g.putArray("versions");
        for (String v : VERSIONS) vs.addObject().put("groupVersion", GROUP + "/" + v).put("version", v);
        g.putObject("preferredVersion").put("groupVersion", GROUP + "/v1").put("version", "v1");
        return g;
    }

    /** The APIResourceList of {@code version}. */
    public static ObjectNode resourceList(String version) {
        ObjectNode o = Codec.NODES.objectNode();
        o.put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", GROUP + "/" + version);
        ArrayNode rs = o.putArray("resources");
        for (String s : VM_UPDATE) add(rs, "virtualmachines/" + s, "VirtualMachine", "update");
        for (String s : VM_GET) add(rs, "virtualmachines/" + s, "VirtualMachine", "get");
        for (String s : VMI_UPDATE) add(rs, "virtualmachineinstances/" + s, "VirtualMachineInstance", "update");
        for (String s : VMI_GET) add(rs, "virtualmachineinstances/" + s, "VirtualMachineInstance", "get");
        return o;
    }

    /**
     * The group's item for aggregated discovery (APIGroupDiscoveryList v2): per version, the parent
     * resources with their subresources and verbs, as kube-apiserver presents KubeVirt's aggregated API.
     */
    public static ObjectNode aggregatedItem() {
        ObjectNode item = Codec.NODES.objectNode();
        item.putObject("metadata").put("name", GROUP);
        ArrayNode vs = item.putArray("versions");
        for (String v : VERSIONS) {
            ObjectNode ver = vs.addObject().put("version", v).put("freshness", "Current");
            ArrayNode rs = ver.putArray("resources");
            aggregatedResource(rs, "virtualmachines", "virtualmachine", "VirtualMachine", v, VM_GET, VM_UPDATE);
            aggregatedResource(rs, "virtualmachineinstances", "virtualmachineinstance", "VirtualMachineInstance", v, VMI_GET, VMI_UPDATE);
        }
        return item;
    }

    private static void aggregatedResource(ArrayNode rs, String plural, String singular, String kind, String version,
                                           List<String> gets, List<String> updates) {
        ObjectNode r = rs.addObject().put("resource", plural);
        r.putObject("responseKind").put("group", GROUP).put("version", version).put("kind", kind);
        r.put("scope", "Namespaced").put("singularResource", singular);
        r.putArray("verbs");
        ArrayNode subs = r.putArray("subresources");
        for (String s : gets) {
            aggregatedSubresource(subs, s, kind, version, "get");
        }
        for (String s : updates) {
            aggregatedSubresource(subs, s, kind, version, "update");
        }
    }

    private static void aggregatedSubresource(ArrayNode subs, String name, String kind, String version, String verb) {
        ObjectNode s = subs.addObject().put("subresource", name);
        s.putObject("responseKind").put("group", GROUP).put("version", version).put("kind", kind);
        s.putArray("verbs").add(verb);
    }

    private static void add(ArrayNode rs, String name, String kind, String verb) {
        ObjectNode r = rs.addObject();
        r.put("name", name).put("singularName", "").put("namespaced", true).put("kind", kind);
        r.putArray("verbs").add(verb);
    }
}

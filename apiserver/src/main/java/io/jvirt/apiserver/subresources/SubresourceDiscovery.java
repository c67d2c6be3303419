package io.jvirt.apiserver.subresources;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    static final List<String> VMI_GET = List.of("console", "vnc", "guestosinfo");

    private SubresourceDiscovery() {}

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
        for (String s : VMI_UPDATE) add(rs, "virtualmachineinstances/" + s, "VirtualMachineInstance", "update");
        for (String s : VMI_GET) add(rs, "virtualmachineinstances/" + s, "VirtualMachineInstance", "get");
        return o;
    }

    private static void add(ArrayNode rs, String name, String kind, String verb) {
        ObjectNode r = rs.addObject();
        r.put("name", name).put("singularName", "").put("namespaced", true).put("kind", kind);
        r.putArray("verbs").add(verb);
    }
}

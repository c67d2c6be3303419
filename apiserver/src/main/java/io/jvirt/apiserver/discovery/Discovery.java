package io.jvirt.apiserver.discovery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.resources.ResourceRegistry;
import io.jvirt.apiserver.resources.ResourceType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Discovery documents built from the registry: legacy (APIVersions, APIGroupList, APIGroup,
 * APIResourceList) and aggregated v2 (APIGroupDiscoveryList). Stateless apart from the registry; thread-safe.
 */
public final class Discovery {
    /** The exact content type kubectl requires for aggregated discovery. */
    public static final String AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    private static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    private final ResourceRegistry registry;

    public Discovery(ResourceRegistry registry) {
        this.registry = registry;
    }

    /** Whether an Accept header asks for aggregated discovery v2. */
    public static boolean wantsAggregated(String accept) {
        if (accept == null) return false;
        for (String part : accept.split(",")) {
            String p = part.replace(" ", "");
            if (p.contains("g=apidiscovery.k8s.io") && p.contains("v=v2;") || p.endsWith("v=v2") && p.contains("apidiscovery")) {
                if (p.contains("as=APIGroupDiscoveryList")) return true;
            }
        }
        return false;
    }

    public static ObjectNode version() {
        ObjectNode v = Codec.NODES.objectNode();
        v.put("major", "1").put("minor", "32").put("gitVersion", "v1.32.5-jvirt").put("gitCommit", "jvirt")
                .put("gitTreeState", "clean").put("buildDate", "2026-11-22T00:00:00Z").put("goVersion", "go1.23.0")
                .put("compiler", "gc").put("platform", "linux/amd64");
        return v;
    }

    public ObjectNode apiVersions(String serverAddress) {
        ObjectNode o = Codec.NODES.objectNode();
        o.put("kind", "APIVersions");
        o.putArray("versions").add("v1");
        o.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", serverAddress);
        return o;
    }

    public ObjectNode groupList() {
        ObjectNode o = Codec.NODES.objectNode();
        o.put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = o.putArray("groups");
        registry.groups().forEach((g, versions) -> {
            if (!g.isEmpty()) groups.add(group(g, versions));
        });
        return o;
    }

    public Optional<ObjectNode> group(String name) {
        Map<String, List<ResourceType>> versions = registry.groups().get(name);
        if (versions == null || name.isEmpty()) return Optional.empty();
        ObjectNode g = group(name, versions);
        g.put("kind", "APIGroup").put("apiVersion", "v1");
        return Optional.of(g);
    }

    private static ObjectNode group(String name, Map<String, List<ResourceType>> versions) {
        ObjectNode g = Codec.NODES.objectNode();
        g.put("name", name);
        ArrayNode vs = g.putArray("versions");
        versions.keySet().forEach(v -> vs.addObject().put("groupVersion", name + "/" + v).put("version", v));
        String preferred = versions.keySet().iterator().next();
        g.putObject("preferredVersion").put("groupVersion", name + "/" + preferred).put("version", preferred);
        return g;
    }

    /** The legacy APIResourceList of one group version. */
    public Optional<ObjectNode> resourceList(String group, String version) {
        Map<String, List<ResourceType>> versions = registry.groups().get(group);
        if (versions == null || !versions.containsKey(version)) return Optional.empty();
        ObjectNode o = Codec.NODES.objectNode();
        o.put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode res = o.putArray("resources");
        for (ResourceType t : versions.get(version)) {
            ObjectNode r = res.addObject().put("name", t.plural()).put("singularName", t.singular())
                    .put("namespaced", t.namespaced()).put("kind", t.kind());
            strings(r.putArray("verbs"), VERBS);
            if (!t.shortNames().isEmpty()) strings(r.putArray("shortNames"), t.shortNames());
            if (!t.categories().isEmpty()) strings(r.putArray("categories"), t.categories());
            if (t.statusSubresource()) {
                ObjectNode s = res.addObject().put("name", t.plural() + "/status").put("singularName", "")
                        .put("namespaced", t.namespaced()).put("kind", t.kind());
                strings(s.putArray("verbs"), List.of("get", "patch", "update"));
            }
            if (t.group().isEmpty() && t.plural().equals("pods")) {
                ObjectNode b = res.addObject().put("name", "pods/binding").put("singularName", "").put("namespaced", true).put("kind", "Binding");
                strings(b.putArray("verbs"), List.of("create"));
                ObjectNode l = res.addObject().put("name", "pods/log").put("singularName", "").put("namespaced", true).put("kind", "Pod");
                strings(l.putArray("verbs"), List.of("get"));
            }
            if (t.scale() != null) {
                ObjectNode s = res.addObject().put("name", t.plural() + "/scale").put("singularName", "")
                        .put("namespaced", t.namespaced()).put("group", "autoscaling").put("version", "v1").put("kind", "Scale");
                strings(s.putArray("verbs"), List.of("get", "patch", "update"));
            }
        }
        return Optional.of(o);
    }

    /** Aggregated discovery v2: the core group ({@code core=true}, for /api) or all named groups (/apis). */
    public ObjectNode aggregated(boolean core) {
        ObjectNode o = Codec.NODES.objectNode();
        o.put("kind", "APIGroupDiscoveryList").put("apiVersion", "apidiscovery.k8s.io/v2");
        o.putObject("metadata");
        ArrayNode items = o.putArray("items");
        registry.groups().forEach((g, versions) -> {
            if (g.isEmpty() != core) return;
            ObjectNode item = items.addObject();
            ObjectNode meta = item.putObject("metadata");
            if (!g.isEmpty()) meta.put("name", g);
            ArrayNode vs = item.putArray("versions");
            versions.forEach((v, types) -> {
                ObjectNode ver = vs.addObject().put("version", v).put("freshness", "Current");
                ArrayNode rs = ver.putArray("resources");
                for (ResourceType t : types) {
                    ObjectNode r = rs.addObject().put("resource", t.plural());
                    r.putObject("responseKind").put("group", t.group()).put("version", t.version()).put("kind", t.kind());
                    r.put("scope", t.namespaced() ? "Namespaced" : "Cluster").put("singularResource", t.singular());
                    strings(r.putArray("verbs"), VERBS);
                    if (!t.shortNames().isEmpty()) strings(r.putArray("shortNames"), t.shortNames());
                    if (!t.categories().isEmpty()) strings(r.putArray("categories"), t.categories());
                    ArrayNode subs = Codec.NODES.arrayNode();
                    if (t.statusSubresource()) {
                        ObjectNode s = subs.addObject().put("subresource", "status");
                        s.putObject("responseKind").put("group", t.group()).put("version", t.version()).put("kind", t.kind());
                        strings(s.putArray("verbs"), List.of("get", "patch", "update"));
                    }
                    if (t.scale() != null) {
                        ObjectNode s = subs.addObject().put("subresource", "scale");
                        s.putObject("responseKind").put("group", "autoscaling").put("version", "v1").put("kind", "Scale");
                        strings(s.putArray("verbs"), List.of("get", "patch", "update"));
                    }
                    if (!subs.isEmpty()) r.set("subresources", subs);
                }
            });
        });
        return o;
    }

    private static void strings(ArrayNode arr, List<String> values) {
        values.forEach(arr::add);
    }
}

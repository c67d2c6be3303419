package io.jvirt.network.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A CNI network configuration list (a {@code .conflist}: {@code name}, {@code cniVersion}, {@code plugins})
 * run as the spec's runtime does: ADD runs the plugins in order, each given the previous one's result as
 * {@code prevResult}; DEL runs them in reverse with the ADD's result; CHECK in order with it. Each plugin's
 * configuration gets the list's {@code name} and {@code cniVersion}, and {@code runtimeConfig} for the
 * capabilities it declares. Immutable and thread-safe; the plugins lock their own state (host-local's
 * data directory).
 *
 * @see <a href="https://www.cni.dev/docs/spec/#section-4-plugin-delegation">CNI spec, network configuration lists</a>
 */
public final class NetworkList {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String name;
    private final String cniVersion;
    private final List<ObjectNode> plugins;

    private NetworkList(String name, String cniVersion, List<ObjectNode> plugins) {
        this.name = name;
        this.cniVersion = cniVersion;
        this.plugins = plugins;
    }

    /** Reads a conflist; fails with a message naming the field that is missing. */
    public static NetworkList parse(JsonNode conflist) {
        String name = conflist.path("name").asText("");
        String version = conflist.path("cniVersion").asText("");
        if (name.isEmpty() || version.isEmpty() || !conflist.path("plugins").isArray() || conflist.path("plugins").isEmpty()) {
            throw new IllegalArgumentException("a CNI network list needs name, cniVersion and plugins: " + conflist);
        }
        List<ObjectNode> plugins = new ArrayList<>();
        for (JsonNode p : conflist.path("plugins")) {
            if (!(p instanceof ObjectNode o) || !p.path("type").isTextual()) {
                throw new IllegalArgumentException("every plugin of a CNI network list needs a type: " + p);
            }
            plugins.add(o.deepCopy());
        }
        return new NetworkList(name, version, List.copyOf(plugins));
    }

    public String name() {
        return name;
    }

    /** Each plugin's {@code type}, in order. */
    public List<String> types() {
        return plugins.stream().map(p -> p.path("type").asText()).toList();
    }

    /** ADD through every plugin; returns the last result. {@code runtimeConfig}: capability name → value. */
    public CniResult add(CniPlugin runner, CniPlugin.Target target, ObjectNode runtimeConfig) throws IOException {
        JsonNode prev = null;
        for (ObjectNode plugin : plugins) {
            JsonNode answer = runner.invoke(CniCommand.ADD, target, conf(plugin, prev, runtimeConfig));
            if (answer == null) {
                throw new CniException(plugin.path("type").asText(), CniException.NOT_A_PLUGIN_ERROR, "ADD printed no result", null);
            }
            prev = answer;
        }
        return CniResult.parse(plugins.getLast().path("type").asText(), prev);
    }

    /**
     * DEL through every plugin in reverse ({@code added}: the ADD's result when known, else null). Every plugin
     * is asked even when one fails; the first failure is thrown at the end. Deleting what is gone succeeds.
     */
    public void delete(CniPlugin runner, CniPlugin.Target target, CniResult added, ObjectNode runtimeConfig) throws IOException {
        IOException first = null;
        for (ObjectNode plugin : plugins.reversed()) {
            try {
                runner.invoke(CniCommand.DEL, target, conf(plugin, added == null ? null : added.json(), runtimeConfig));
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** CHECK through every plugin with the ADD's result; throws the first plugin's error. */
    public void check(CniPlugin runner, CniPlugin.Target target, CniResult added, ObjectNode runtimeConfig) throws IOException {
        for (ObjectNode plugin : plugins) {
            runner.invoke(CniCommand.CHECK, target, conf(plugin, added.json(), runtimeConfig));
        }
    }

    private ObjectNode conf(ObjectNode plugin, JsonNode prev, ObjectNode runtimeConfig) {
        ObjectNode conf = plugin.deepCopy();
        conf.put("name", name);
        conf.put("cniVersion", cniVersion);
        conf.remove("runtimeConfig");
        ObjectNode runtime = JSON.createObjectNode();
        JsonNode capabilities = plugin.path("capabilities");
        if (runtimeConfig != null) {
            runtimeConfig.properties().forEach(e -> {
                if (capabilities.path(e.getKey()).asBoolean(false)) {
                    runtime.set(e.getKey(), e.getValue());
                }
            });
        }
        if (!runtime.isEmpty()) {
            conf.set("runtimeConfig", runtime);
        }
        if (prev != null) {
            conf.set("prevResult", prev);
        }
        return conf;
    }
}

package io.jvirt.registry;

import java.util.Map;
import java.util.Set;

/**
 * Where images are pulled from: mirrors (a registry, or a registry and repository prefix, served by another) and the
 * registries spoken to over plain HTTP. Pure and immutable.
 *
 * <p>Mirror keys and values are {@code host[:port]} or {@code host[:port]/repository/prefix}; the longest key
 * matching a reference's name at a {@code /} boundary wins and its prefix is replaced, so
 * {@code registry:5000 → 127.0.0.1:5000} maps {@code registry:5000/kubevirt/x:devel} to
 * {@code 127.0.0.1:5000/kubevirt/x:devel}. Docker Hub is {@code docker.io}.
 *
 * <p>Plain HTTP is used for the hosts in {@code insecure} and, as Docker does, for loopback registries
 * ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}); every other registry is HTTPS with the JDK's trust store.
 */
public record RegistryConfig(Map<String, String> mirrors, Set<String> insecure) {
    public static final RegistryConfig DEFAULT = new RegistryConfig(Map.of(), Set.of());

    public RegistryConfig {
        mirrors = Map.copyOf(mirrors);
        insecure = Set.copyOf(insecure);
    }

    /**
     * The settings in {@code p} (the node's and the control plane's {@code config.properties}):
     * {@code registryMirror.<registry[/prefix]>=<registry[/prefix]>} per mirror (a {@code :} in the key written
     * {@code \:}, Java properties syntax) and {@code insecureRegistries}, comma-separated {@code host:port}s.
     */
    public static RegistryConfig fromProperties(java.util.Properties p) {
        Map<String, String> mirrors = new java.util.HashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("registryMirror.")) {
                mirrors.put(key.substring("registryMirror.".length()), p.getProperty(key).strip());
            }
        }
        Set<String> insecure = new java.util.HashSet<>();
        for (String host : p.getProperty("insecureRegistries", "").split(",")) {
            if (!host.isBlank()) {
                insecure.add(host.strip());
            }
        }
        return new RegistryConfig(mirrors, insecure);
    }

    /** Where {@code ref} is pulled from: its mirror's reference, or itself. */
    public ImageReference resolve(ImageReference ref) {
        String name = ref.name();
        String best = null;
        for (String from : mirrors.keySet()) {
            String key = from.endsWith("/") ? from.substring(0, from.length() - 1) : from;
            if ((name.equals(key) || name.startsWith(key + "/")) && (best == null || key.length() > best.length())) {
                best = key;
            }
        }
        if (best == null) {
            return ref;
        }
        String to = mirrors.get(best) != null ? mirrors.get(best) : mirrors.get(best + "/");
        to = to.endsWith("/") ? to.substring(0, to.length() - 1) : to;
        String rest = name.substring(best.length()); // "" or "/..."
        String target = to + rest;
        int slash = target.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("mirror " + best + " -> " + to + " leaves no repository for " + ref);
        }
        return ref.inRegistry(target.substring(0, slash), target.substring(slash + 1));
    }

    /** True when {@code registry} is spoken to over plain HTTP. */
    public boolean plainHttp(String registry) {
        if (insecure.contains(registry)) {
            return true;
        }
        String host = registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1)
                : registry.contains(":") ? registry.substring(0, registry.lastIndexOf(':')) : registry;
        return host.equals("localhost") || host.equals("[::1]") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }
}

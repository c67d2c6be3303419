package io.jvirt.apiserver.resources;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The set of served resources: the built-ins plus every version of every established CRD.
 * Thread-safe; CRD changes replace that CRD's entries atomically and bump {@link #generation()}
 * (which discovery and OpenAPI use as their hash).
 */
public final class ResourceRegistry {
    private final Map<String, ResourceType> byGvr = new ConcurrentHashMap<>();
    private final Map<String, List<ResourceType>> byCrd = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong(1);

    public ResourceRegistry() {
        BuiltinResources.all().forEach(t -> byGvr.put(gvr(t.group(), t.version(), t.plural()), t));
    }

    private static String gvr(String group, String version, String plural) {
        return group + "/" + version + "/" + plural;
    }

    public Optional<ResourceType> find(String group, String version, String plural) {
        return Optional.ofNullable(byGvr.get(gvr(group, version, plural)));
    }

    /** The type serving {@code apiVersion}/{@code kind}, if any. */
    public Optional<ResourceType> findKind(String apiVersion, String kind) {
        return byGvr.values().stream().filter(t -> t.apiVersion().equals(apiVersion) && t.kind().equals(kind)).findFirst();
    }

    /** Installs or replaces the resource defined by CRD object {@code crd} (already validated). */
    public synchronized void putCrd(JsonNode crd) {
        String name = crd.path("metadata").path("name").asText();
        removeCrd(name);
        List<ResourceType> types = CrdTypes.of(crd);
        types.forEach(t -> byGvr.put(gvr(t.group(), t.version(), t.plural()), t));
        byCrd.put(name, types);
        generation.incrementAndGet();
    }

    /** Stops serving the resource of CRD {@code name}; idempotent. */
    public synchronized void removeCrd(String name) {
        List<ResourceType> old = byCrd.remove(name);
        if (old == null) return;
        old.forEach(t -> byGvr.remove(gvr(t.group(), t.version(), t.plural())));
        generation.incrementAndGet();
    }

    public long generation() {
        return generation.get();
    }

    /** Groups (core "" first) to their versions, preferred version first, each with its types sorted by plural. */
    public Map<String, Map<String, List<ResourceType>>> groups() {
        Map<String, Map<String, List<ResourceType>>> out = new LinkedHashMap<>();
        List<ResourceType> all = new ArrayList<>(byGvr.values());
        all.sort(Comparator.comparing((ResourceType t) -> !t.group().isEmpty()).thenComparing(ResourceType::group)
                .thenComparing(t -> !t.version().equals(t.storageVersion())).thenComparing(ResourceType::version, Comparator.reverseOrder())
                .thenComparing(ResourceType::plural));
        for (ResourceType t : all) {
            out.computeIfAbsent(t.group(), g -> new LinkedHashMap<>()).computeIfAbsent(t.version(), v -> new ArrayList<>()).add(t);
        }
        return out;
    }

    public List<ResourceType> all() {
        return List.copyOf(byGvr.values());
    }
}

package io.jvirt.apiserver.resources;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.store.KeyPrefix;
import io.jvirt.store.ObjectKey;
import java.util.List;

/**
 * A served resource: group/version/kind and plural, scope, names for discovery, the structural
 * schema (null = anything), printer columns and subresources. Immutable.
 *
 * @param builtin true for core/built-in types (strategic merge patch and unconditional update allowed)
 * @param storageVersion the CRD's storage version (objects are stored once, under the group, not per version)
 */
public record ResourceType(String group, String version, String kind, String plural, String singular,
                           boolean namespaced, List<String> shortNames, List<String> categories,
                           JsonNode schema, List<PrinterColumn> columns, boolean statusSubresource,
                           Scale scale, boolean builtin, String storageVersion) {

    /** The scale subresource paths, as in a CRD. */
    public record Scale(String specReplicasPath, String statusReplicasPath, String labelSelectorPath) {}

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public String listKind() {
        return kind + "List";
    }

    /** The store prefix of this resource in {@code namespace} (null = all namespaces). */
    public KeyPrefix keyPrefix(String namespace) {
        if (!namespaced || namespace == null) return KeyPrefix.of(group, plural);
        return KeyPrefix.of(group, plural, namespace);
    }

    public ObjectKey key(String namespace, String name) {
        return new ObjectKey(group, plural, namespaced ? namespace : "", name);
    }
}

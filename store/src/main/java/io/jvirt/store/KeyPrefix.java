package io.jvirt.store;

import java.util.Objects;

/**
 * A set of keys to list or watch: every object of one group/resource, optionally only in one namespace.
 *
 * @param namespace {@code null} for all namespaces (and for cluster-scoped resources); otherwise one
 *                  namespace ({@code ""} selects the cluster-scoped objects only)
 */
public record KeyPrefix(String group, String resource, String namespace) {

    public KeyPrefix {
        group = ObjectKey.checkComponent("group", group, true);
        resource = ObjectKey.checkComponent("resource", resource, false);
        if (namespace != null) {
            namespace = ObjectKey.checkComponent("namespace", namespace, true);
        }
    }

    /** Every object of {@code group/resource}, in all namespaces. */
    public static KeyPrefix of(String group, String resource) {
        return new KeyPrefix(group, resource, null);
    }

    /** Every object of {@code group/resource} in {@code namespace}. */
    public static KeyPrefix of(String group, String resource, String namespace) {
        return new KeyPrefix(group, resource, Objects.requireNonNull(namespace, "namespace"));
    }

    /** The textual prefix of {@link ObjectKey#path()} that this selects. */
    public String path() {
        return namespace == null ? group + '/' + resource + '/' : group + '/' + resource + '/' + namespace + '/';
    }

    /** Whether {@code key} is in this set. */
    public boolean contains(ObjectKey key) {
        return key.group().equals(group)
                && key.resource().equals(resource)
                && (namespace == null || key.namespace().equals(namespace));
    }

    @Override
    public String toString() {
        return path();
    }
}

package io.jvirt.controller.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** The work item of every controller: an object's namespace ({@code null} if cluster-scoped) and name. */
public record Key(String namespace, String name) {
    public static Key of(HasMetadata o) {
        return new Key(o.getMetadata().getNamespace(), o.getMetadata().getName());
    }

    /** The informer cache key ({@code ns/name} or {@code name}). */
    public String cacheKey() {
        return namespace == null ? name : namespace + "/" + name;
    }

    @Override
    public String toString() {
        return cacheKey();
    }
}

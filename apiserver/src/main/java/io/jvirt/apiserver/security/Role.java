package io.jvirt.apiserver.security;

/** The built-in roles, after Kubernetes' admin / edit / view cluster roles. */
public enum Role {
    /** Everything. */
    ADMIN,
    /** Read and write namespaced objects; no CRDs, namespaces, nodes, persistent volumes or storage classes. */
    EDIT,
    /**
     * Read only (get, list, watch), but no Secrets (as Kubernetes' view role: they hold credentials, such as
     * the node relay's token); no console or VNC, nothing of {@code subresources.kubevirt.io}.
     */
    VIEW;

    /** Whether this role may use {@code verb} on {@code group}/{@code plural} (namespaced or not). */
    public boolean allows(String verb, String group, String plural, boolean namespaced) {
        boolean read = verb.equals("get") || verb.equals("list") || verb.equals("watch");
        return switch (this) {
            case ADMIN -> true;
            case EDIT -> read || namespaced;
            case VIEW -> read && !(group.isEmpty() && plural.startsWith("secrets")) && !group.equals("subresources.kubevirt.io")
                    && !(plural.endsWith("/console") || plural.endsWith("/vnc"));
        };
    }
}

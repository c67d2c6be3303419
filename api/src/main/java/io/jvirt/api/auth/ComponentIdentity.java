package io.jvirt.api.auth;

import java.util.Optional;

/**
 * The control plane's own components as the API server knows them: each authenticates with a bearer
 * token of its own and holds only the rights its role grants. The user names are KubeVirt's and
 * Kubernetes' (service accounts of the {@code kubevirt} namespace, the scheduler's system user), so
 * admission rules and RBAC bindings read the same on jvirt's server and on a real cluster. Immutable.
 */
public enum ComponentIdentity {
    /** virt-controller: VMs, VMIs, replica sets, launcher pods. */
    CONTROLLER("system:serviceaccount:kubevirt:kubevirt-controller"),
    /** The embedded scheduler: binds pods to nodes. */
    SCHEDULER("system:kube-scheduler"),
    /** virt-handler, the node agent: runs launcher pods, writes VMI status, heartbeats its Node. */
    NODE_AGENT("system:serviceaccount:kubevirt:kubevirt-handler");

    private final String userName;

    ComponentIdentity(String userName) {
        this.userName = userName;
    }

    /** The user name the API server authenticates this component as (and admission sees). */
    public String userName() {
        return userName;
    }

    /** Whether {@code userName} (may be null) is this component. */
    public boolean is(String userName) {
        return this.userName.equals(userName);
    }

    /** The component authenticated as {@code userName}, if it is one. */
    public static Optional<ComponentIdentity> of(String userName) {
        for (ComponentIdentity c : values()) {
            if (c.is(userName)) return Optional.of(c);
        }
        return Optional.empty();
    }
}

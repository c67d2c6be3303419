package io.jvirt.controller.resource;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A {@code kubevirt.io/v1 VirtualMachineInstanceReplicaSet} for the fabric8 client. */
@Group("kubevirt.io")
@Version("v1")
@Kind("VirtualMachineInstanceReplicaSet")
@Plural("virtualmachineinstancereplicasets")
@Singular("virtualmachineinstancereplicaset")
public final class ReplicaSetResource extends TolerantResource<ReplicaSetSpec, ReplicaSetStatus> implements Namespaced {
    private static final long serialVersionUID = 1L;
}

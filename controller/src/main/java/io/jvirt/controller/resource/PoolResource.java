package io.jvirt.controller.resource;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A {@code pool.kubevirt.io/v1beta1 VirtualMachinePool} for the fabric8 client. */
@Group("pool.kubevirt.io")
@Version("v1beta1")
@Kind("VirtualMachinePool")
@Plural("virtualmachinepools")
@Singular("virtualmachinepool")
public final class PoolResource extends TolerantResource<PoolSpec, ReplicaSetStatus> implements Namespaced {
    private static final long serialVersionUID = 1L;
}

package io.jvirt.controller.resource;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.jvirt.api.v1.VirtualMachineSpec;

/**
 * A {@code kubevirt.io/v1 VirtualMachine} as the fabric8 client sees it: the spec is the {@code api}
 * module's record, the status is {@link VirtualMachineStatus} (owned by the VM controller).
 */
@Group("kubevirt.io")
@Version("v1")
@Kind("VirtualMachine")
@Plural("virtualmachines")
@Singular("virtualmachine")
public final class VirtualMachineResource extends TolerantResource<VirtualMachineSpec, VirtualMachineStatus> implements Namespaced {
    private static final long serialVersionUID = 1L;
}

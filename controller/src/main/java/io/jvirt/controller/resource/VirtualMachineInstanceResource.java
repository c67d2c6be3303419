package io.jvirt.controller.resource;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.jvirt.api.v1.VirtualMachineInstanceSpec;
import io.jvirt.api.v1.VirtualMachineInstanceStatus;

/** A {@code kubevirt.io/v1 VirtualMachineInstance} for the fabric8 client, typed by the {@code api} records. */
@Group("kubevirt.io")
@Version("v1")
@Kind("VirtualMachineInstance")
@Plural("virtualmachineinstances")
@Singular("virtualmachineinstance")
public final class VirtualMachineInstanceResource
        extends TolerantResource<VirtualMachineInstanceSpec, VirtualMachineInstanceStatus> implements Namespaced {
    private static final long serialVersionUID = 1L;
}

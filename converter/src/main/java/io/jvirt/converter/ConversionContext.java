package io.jvirt.converter;

import io.jvirt.api.meta.ObjectMeta;
import io.jvirt.api.v1.Devices;
import io.jvirt.api.v1.Disk;
import io.jvirt.api.v1.DomainSpec;
import io.jvirt.api.v1.Features;
import io.jvirt.api.v1.Input;
import io.jvirt.api.v1.Interface;
import io.jvirt.api.v1.VirtualMachineInstance;
import io.jvirt.api.v1.VirtualMachineInstanceSpec;
import io.jvirt.api.v1.Volume;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the configurators read: the VMI, the node's handover, null-safe views of the spec, and the
 * environment QEMU will run with. One context per conversion; not thread-safe.
 */
public final class ConversionContext {
    private final VirtualMachineInstance vmi;
    private final NodeHandover handover;
    private final Map<String, String> environment = new LinkedHashMap<>();

    ConversionContext(VirtualMachineInstance vmi, NodeHandover handover) {
        this.vmi = Objects.requireNonNull(vmi, "vmi");
        this.handover = Objects.requireNonNull(handover, "handover");
        if (vmi.spec() == null || vmi.spec().domain() == null) {
            throw new ConversionException("spec.domain: required");
        }
    }

    public VirtualMachineInstance vmi() {
        return vmi;
    }

    public NodeHandover handover() {
        return handover;
    }

    public VirtualMachineInstanceSpec spec() {
        return vmi.spec();
    }

    public DomainSpec domain() {
        return vmi.spec().domain();
    }

    /** metadata.name, or {@code vmi} when absent. */
    public String name() {
        return Optional.ofNullable(vmi.metadata()).map(ObjectMeta::name).orElse("vmi");
    }

    /** metadata.namespace, or {@code default} when absent. */
    public String namespace() {
        return Optional.ofNullable(vmi.metadata()).map(ObjectMeta::namespace).orElse("default");
    }

    /** metadata.uid, or null. */
    public String uid() {
        return vmi.metadata() == null ? null : vmi.metadata().uid();
    }

    public Optional<Devices> devices() {
        return Optional.ofNullable(domain().devices());
    }

    public List<Disk> disks() {
        return devices().map(Devices::disks).orElse(List.of());
    }

    public List<Interface> interfaces() {
        return devices().map(Devices::interfaces).orElse(List.of());
    }

    public List<Input> inputs() {
        return devices().map(Devices::inputs).orElse(List.of());
    }

    public Optional<Features> features() {
        return Optional.ofNullable(domain().features());
    }

    public List<Volume> volumes() {
        return spec().volumes() == null ? List.of() : spec().volumes();
    }

    /** The volume named {@code name}, or a {@link ConversionException} naming {@code field}. */
    public Volume volume(String name, String field) {
        return volumes().stream().filter(v -> name.equals(v.name())).findFirst()
                .orElseThrow(() -> new ConversionException(field + ": no volume named '" + name + "' in spec.volumes"));
    }

    /** The number of vCPUs the CPU configurator gives the guest. */
    public int vcpus() {
        return CpuConfigurator.topology(domain()).cpus();
    }

    /** True when the machine type is the i440FX {@code pc} family rather than q35. */
    public boolean isPcMachine() {
        return MachineConfigurator.machineType(this).startsWith("pc");
    }

    /** Sets an environment variable for the QEMU process (e.g. {@code TZ}). */
    public void putEnvironment(String key, String value) {
        environment.put(key, value);
    }

    Map<String, String> environment() {
        return Map.copyOf(environment);
    }
}

package io.jvirt.converter;

import io.jvirt.api.v1.Interface;
import io.jvirt.api.v1.VirtualMachineInstance;
import io.jvirt.api.v1.Volume;
import io.jvirt.qemu.Accel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test fixtures: the handover a node would give for a VMI, with fixed, readable paths. */
final class Handovers {
    static final RunDirectory RUN = new RunDirectory(Path.of("/run/jvirt/vmi/ns1_vm1"));

    private Handovers() {}

    /**
     * Prepared files as the node lays them out (overlays qcow2, PVC images raw, cloud-init ISOs in the
     * run directory), a tap device per interface (tap0, tap1, …) made by the node, TCG.
     */
    static NodeHandover forVmi(VirtualMachineInstance vmi) {
        Map<String, ReadyDisk> volumes = new LinkedHashMap<>();
        for (Volume v : vmi.spec().volumes() == null ? List.<Volume>of() : vmi.spec().volumes()) {
            volumes.put(v.name(), readyFor(v));
        }
        Map<String, Netdev> networks = new LinkedHashMap<>();
        List<Interface> nics = vmi.spec().domain().devices() == null || vmi.spec().domain().devices().interfaces() == null
                ? List.of() : vmi.spec().domain().devices().interfaces();
        for (int i = 0; i < nics.size(); i++) {
            networks.put(nics.get(i).name(), new Netdev.TapName("tap" + i));
        }
        KernelFiles kernel = vmi.spec().domain().firmware() != null && vmi.spec().domain().firmware().kernelBoot() != null
                ? new KernelFiles(Path.of("/var/lib/jvirt/kernels/vm1/vmlinuz"), Path.of("/var/lib/jvirt/kernels/vm1/initrd"))
                : null;
        return new NodeHandover(RUN, Accel.TCG, 32, volumes, networks, kernel, FirmwareFiles.debianOvmf());
    }

    static ReadyDisk readyFor(Volume v) {
        Path disks = Path.of("/var/lib/jvirt/disks/ns1_vm1");
        if (v.containerDisk() != null || v.emptyDisk() != null || v.ephemeral() != null) {
            return ReadyDisk.file(disks.resolve(v.name() + ".qcow2"), DiskFormat.QCOW2);
        }
        if (v.cloudInitNoCloud() != null || v.cloudInitConfigDrive() != null) {
            return ReadyDisk.file(RUN.cloudInitIso(v.name()), DiskFormat.RAW);
        }
        return ReadyDisk.file(disks.resolve(v.name()).resolve("disk.img"), DiskFormat.RAW);
    }
}

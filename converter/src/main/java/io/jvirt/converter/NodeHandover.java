package io.jvirt.converter;

import io.jvirt.qemu.Accel;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the node agent (and the launcher's own preparation) hands to the converter besides the
 * VMI spec: prepared volumes, network backends, directories and the acceleration decision.
 *
 * @param runDirectory private per-VMI directory for sockets and per-VMI files
 * @param accel KVM when the probe showed a working KVM and emulation is not forced, else TCG
 * @param tcgTranslationCacheMiB {@code tb-size} for TCG (QEMU's default of 1 GiB costs resident memory)
 * @param volumes prepared disk per volume name of {@code spec.volumes}
 * @param networks host backend per interface name of {@code spec.domain.devices.interfaces}
 * @param kernel kernel and initrd for {@code firmware.kernelBoot}, or null
 * @param firmware where the UEFI images live
 */
public record NodeHandover(
        RunDirectory runDirectory,
        Accel accel,
        int tcgTranslationCacheMiB,
        Map<String, ReadyDisk> volumes,
        Map<String, Netdev> networks,
        KernelFiles kernel,
        FirmwareFiles firmware) {
    public NodeHandover {
        Objects.requireNonNull(runDirectory, "runDirectory");
        Objects.requireNonNull(accel, "accel");
        Objects.requireNonNull(firmware, "firmware");
        volumes = Map.copyOf(volumes);
        networks = Map.copyOf(networks);
        if (tcgTranslationCacheMiB < 1) {
            throw new IllegalArgumentException("tcgTranslationCacheMiB must be >= 1");
        }
    }
}

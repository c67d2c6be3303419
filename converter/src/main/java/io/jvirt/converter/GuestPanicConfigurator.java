package io.jvirt.converter;

import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;

/**
 * A {@code pvpanic} device (ISA, port 0x505, announced to the guest by ACPI) on every VMI: a guest
 * kernel that panics tells QEMU, which sends QMP {@code GUEST_PANICKED}, and the VMI becomes Failed
 * with a panic reason instead of staying Running. KubeVirt has no spec field for it; it costs nothing.
 */
final class GuestPanicConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        qemu.device("pvpanic", QemuOpts.empty().with("id", "ua-pvpanic"));
    }
}

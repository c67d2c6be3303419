package io.jvirt.converter;

import io.jvirt.qemu.Accel;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;

/** {@code -accel}: the node's decision; TCG gets a bounded translation cache. */
final class AccelConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        NodeHandover handover = context.handover();
        if (handover.accel() == Accel.KVM) {
            qemu.accel(Accel.KVM);
            return;
        }
        qemu.accel(Accel.TCG, QemuOpts.empty().with("tb-size", handover.tcgTranslationCacheMiB()));
    }
}

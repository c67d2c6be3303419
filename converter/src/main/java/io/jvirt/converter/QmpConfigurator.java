package io.jvirt.converter;

import io.jvirt.qemu.QemuCommandLine;

/**
 * The QMP monitor on the run directory's socket, and {@code -S}: QEMU waits with stopped CPUs until
 * the launcher has connected (so no event is missed) and sends {@code cont}.
 */
final class QmpConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        qemu.qmp("qmp", SpecPaths.requireSafeAbsolute("qmp socket", context.handover().runDirectory().qmpSocket()));
        qemu.startPaused();
    }
}

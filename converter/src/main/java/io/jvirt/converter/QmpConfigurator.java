package io.jvirt.converter;

import io.jvirt.qemu.QemuCommandLine;

/**
 * The QMP monitor on the run directory's socket, {@code -S}: QEMU waits with stopped CPUs until the
 * node agent has connected (so no event is missed) and sends {@code cont}; and {@code -no-shutdown}:
 * a guest power-off stops the CPUs and leaves QEMU in run state {@code shutdown} instead of exiting, so
 * an agent that was down when it happened still finds it with {@code query-status} (and then ends QEMU).
 */
final class QmpConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        qemu.qmp("qmp", SpecPaths.requireSafeAbsolute("qmp socket", context.handover().runDirectory().qmpSocket()));
        qemu.startPaused();
        qemu.noShutdown();
    }
}

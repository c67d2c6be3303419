package io.jvirt.converter;

import io.jvirt.qemu.QemuCommandLine;

/**
 * No implicit devices or config files, no local display, and QEMU's seccomp sandbox with obsolete
 * syscalls, privilege changes, process spawning and resource control denied.
 */
final class HardeningConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        qemu.nodefaults().noUserConfig().sandbox(QemuCommandLine.STRICT_SANDBOX).displayNone();
    }
}

package io.jvirt.converter;

import io.jvirt.qemu.QemuCommandLine;

/** {@code -name guest=<namespace>_<name>}: how the VMI shows up in QEMU's process and thread names. */
final class IdentityConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        qemu.name(context.namespace() + "_" + context.name());
    }
}

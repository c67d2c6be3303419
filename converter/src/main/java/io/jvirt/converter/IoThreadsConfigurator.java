package io.jvirt.converter;

import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;

/** One {@code -object iothread} per thread of the {@link IoThreadPlan}; the disks attach to them. */
final class IoThreadsConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        for (String id : IoThreadPlan.of(context).threads()) {
            qemu.object("iothread", id, QemuOpts.empty());
        }
    }
}

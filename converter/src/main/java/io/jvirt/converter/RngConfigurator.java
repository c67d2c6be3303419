package io.jvirt.converter;

import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;

/** {@code devices.rng}: a virtio RNG fed from the host's /dev/urandom. */
final class RngConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        if (context.devices().map(d -> d.rng()).isEmpty()) {
            return;
        }
        qemu.object("rng-random", "rng0", QemuOpts.empty().with("filename", "/dev/urandom"));
        qemu.device("virtio-rng-pci", QemuOpts.empty().with("rng", "rng0").with("id", "ua-rng"));
    }
}

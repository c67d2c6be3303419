package io.jvirt.converter;

import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;

/**
 * {@code devices.autoattachGraphicsDevice} (default true): a VGA card and the VNC server on the
 * run directory's unix socket. No TCP listener is ever opened.
 */
final class GraphicsConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        boolean graphics = context.devices().map(d -> d.autoattachGraphicsDevice()).map(b -> b).orElse(true);
        if (!graphics) {
            return;
        }
        qemu.device("VGA", QemuOpts.empty().with("id", "video0"));
        qemu.vncUnixSocket(SpecPaths.requireSafeAbsolute("vnc socket", context.handover().runDirectory().vncSocket()));
    }
}

package io.jvirt.converter;

import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;

/**
 * {@code devices.autoattachSerialConsole} (default true): the first serial port on a listening unix
 * socket that does not wait for a client, with everything the guest writes also logged to a file.
 */
final class SerialConsoleConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        boolean console = context.devices().map(d -> d.autoattachSerialConsole()).map(b -> b).orElse(true);
        if (!console) {
            return;
        }
        RunDirectory run = context.handover().runDirectory();
        qemu.chardev("socket", "serial0", QemuOpts.empty()
                .with("path", SpecPaths.requireSafeAbsolute("serial socket", run.serialSocket()).toString())
                .with("server", true).with("wait", false)
                .with("logfile", SpecPaths.requireSafeAbsolute("serial log", run.serialLog()).toString())
                .with("logappend", false));
        qemu.serial("serial0");
    }
}

package io.jvirt.converter;

import io.jvirt.api.v1.Watchdog;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import java.util.Set;

/**
 * {@code devices.watchdog}: an i6300esb and {@code -action watchdog=<action>} with KubeVirt's actions
 * poweroff, reset (the default) and shutdown (an ACPI request to the guest).
 */
final class WatchdogConfigurator implements Configurator {
    private static final Set<String> ACTIONS = Set.of("poweroff", "reset", "shutdown");

    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        Watchdog watchdog = context.devices().map(d -> d.watchdog()).orElse(null);
        if (watchdog == null) {
            return;
        }
        if (watchdog.i6300esb() == null) {
            throw new ConversionException("spec.domain.devices.watchdog: only i6300esb is supported on x86");
        }
        String action = watchdog.i6300esb().action() == null || watchdog.i6300esb().action().isEmpty()
                ? "reset" : watchdog.i6300esb().action();
        if (!ACTIONS.contains(action)) {
            throw new ConversionException("spec.domain.devices.watchdog.i6300esb.action: unsupported '" + action
                    + "' (supported: poweroff, reset, shutdown)");
        }
        qemu.device("i6300esb", QemuOpts.empty().with("id", "ua-watchdog"));
        qemu.option("-action", QemuOpts.empty().with("watchdog", action));
    }
}

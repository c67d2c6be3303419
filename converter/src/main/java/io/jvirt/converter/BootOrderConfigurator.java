package io.jvirt.converter;

import io.jvirt.api.v1.Disk;
import io.jvirt.api.v1.Interface;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import java.util.HashMap;
import java.util.Map;

/**
 * KubeVirt's boot order rule: once any disk or interface has a {@code bootOrder}, only those are
 * tried, in that order ({@code -boot strict=on}; the devices carry {@code bootindex}). Orders must
 * be unique.
 */
final class BootOrderConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        Map<Integer, String> seen = new HashMap<>();
        for (int i = 0; i < context.disks().size(); i++) {
            Disk disk = context.disks().get(i);
            claim(seen, disk.bootOrder(), "spec.domain.devices.disks[" + i + "].bootOrder");
        }
        for (int i = 0; i < context.interfaces().size(); i++) {
            Interface nic = context.interfaces().get(i);
            claim(seen, nic.bootOrder(), "spec.domain.devices.interfaces[" + i + "].bootOrder");
        }
        if (!seen.isEmpty()) {
            qemu.boot(QemuOpts.empty().with("strict", true));
        }
    }

    private static void claim(Map<Integer, String> seen, Integer order, String field) {
        if (order == null) {
            return;
        }
        String previous = seen.putIfAbsent(order, field);
        if (previous != null) {
            throw new ConversionException(field + ": boot order " + order + " is already used by " + previous);
        }
    }
}

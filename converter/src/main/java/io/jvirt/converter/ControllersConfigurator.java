package io.jvirt.converter;

import io.jvirt.api.v1.Disk;
import io.jvirt.api.v1.Input;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import java.util.List;

/**
 * The bus controllers the disks and inputs need, each added once: AHCI ({@code sata0}), virtio-scsi
 * ({@code scsi0}) and an xHCI USB controller ({@code usb0}).
 */
final class ControllersConfigurator implements Configurator {
    static final String SATA = "sata0";
    static final String SCSI = "scsi0";
    static final String USB = "usb0";

    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        List<String> buses = diskBuses(context);
        if (buses.contains("sata")) {
            qemu.device("ich9-ahci", QemuOpts.empty().with("id", SATA));
        }
        if (buses.contains("scsi")) {
            qemu.device("virtio-scsi-pci", QemuOpts.empty().with("id", SCSI));
        }
        if (buses.contains("usb") || context.inputs().stream().anyMatch(ControllersConfigurator::isUsbInput)) {
            qemu.device("qemu-xhci", QemuOpts.empty().with("id", USB));
        }
    }

    private static List<String> diskBuses(ConversionContext context) {
        List<Disk> disks = context.disks();
        return java.util.stream.IntStream.range(0, disks.size())
                .mapToObj(i -> DiskTargetKind.of(disks.get(i), "spec.domain.devices.disks[" + i + "]").bus())
                .toList();
    }

    static boolean isUsbInput(Input input) {
        return input.bus() == null || input.bus().isEmpty() || input.bus().equals("usb");
    }
}

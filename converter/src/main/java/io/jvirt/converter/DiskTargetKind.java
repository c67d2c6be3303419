package io.jvirt.converter;

import io.jvirt.api.v1.Disk;
import java.util.Set;

/**
 * How a {@code spec.domain.devices.disks[]} entry shows up in the guest, with its bus resolved
 * (KubeVirt's defaults: disk on virtio, cdrom on sata, lun on scsi) and checked.
 *
 * @param kind disk, cdrom or lun
 * @param bus virtio, sata, scsi or usb
 * @param readonly whether the guest may write (cdrom defaults to read-only)
 */
record DiskTargetKind(Kind kind, String bus, boolean readonly) {
    enum Kind { DISK, CDROM, LUN }

    private static final Set<String> DISK_BUSES = Set.of("virtio", "sata", "scsi", "usb");
    private static final Set<String> CDROM_BUSES = Set.of("sata", "scsi");
    private static final Set<String> LUN_BUSES = Set.of("scsi");

    static DiskTargetKind of(Disk disk, String field) {
        int targets = (disk.disk() != null ? 1 : 0) + (disk.cdrom() != null ? 1 : 0) + (disk.lun() != null ? 1 : 0);
        if (targets > 1) {
            throw new ConversionException(field + ": only one of disk, cdrom and lun may be set");
        }
        if (disk.cdrom() != null) {
            String bus = checkBus(field + ".cdrom.bus", disk.cdrom().bus(), "sata", CDROM_BUSES);
            return new DiskTargetKind(Kind.CDROM, bus, disk.cdrom().readonly() == null || disk.cdrom().readonly());
        }
        if (disk.lun() != null) {
            String bus = checkBus(field + ".lun.bus", disk.lun().bus(), "scsi", LUN_BUSES);
            return new DiskTargetKind(Kind.LUN, bus, Boolean.TRUE.equals(disk.lun().readonly()));
        }
        String bus = checkBus(field + ".disk.bus", disk.disk() == null ? null : disk.disk().bus(), "virtio", DISK_BUSES);
        return new DiskTargetKind(Kind.DISK, bus, disk.disk() != null && Boolean.TRUE.equals(disk.disk().readonly()));
    }

    private static String checkBus(String field, String bus, String fallback, Set<String> allowed) {
        if (bus == null || bus.isEmpty()) {
            return fallback;
        }
        if (!allowed.contains(bus)) {
            throw new ConversionException(field + ": unsupported bus '" + bus + "' (supported: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
        }
        return bus;
    }
}

package io.jvirt.converter;

import io.jvirt.api.v1.Disk;
import io.jvirt.api.v1.Volume;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Each {@code spec.domain.devices.disks[]} entry as a protocol node (the prepared file, or
 * {@code host_device} for a block device), a format node with the format pinned, and a guest device
 * on its bus: {@code virtio-blk-pci}, {@code ide-hd}/{@code ide-cd} on AHCI, {@code scsi-hd}/
 * {@code scsi-cd}/{@code scsi-block} on virtio-scsi, or {@code usb-storage}.
 *
 * <p>{@code bootOrder} becomes {@code bootindex}; {@code cache} none/writethrough/writeback maps to
 * O_DIRECT and the device's write cache; {@code io} native/threads to the file node's {@code aio}
 * (native needs cache none); {@code serial} is passed to the device.
 */
final class DiskConfigurator implements Configurator {
    private static final Set<String> CACHE_MODES = Set.of("none", "writethrough", "writeback");
    private static final Set<String> IO_MODES = Set.of("native", "threads", "default");
    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9_.+-]{1,20}");
    private static final int SATA_PORTS = 6;

    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        IoThreadPlan ioThreads = IoThreadPlan.of(context);
        List<Disk> disks = context.disks();
        int sataPort = 0;
        int scsiId = 0;
        for (int i = 0; i < disks.size(); i++) {
            Disk disk = disks.get(i);
            String field = "spec.domain.devices.disks[" + i + "]";
            DiskTargetKind target = DiskTargetKind.of(disk, field);
            Volume volume = context.volume(disk.name(), field + ".name");
            ReadyDisk ready = VolumeSources.ready(context, volume);
            boolean readonly = target.readonly() || VolumeSources.isReadOnly(volume);
            String cache = check(field + ".cache", disk.cache(), CACHE_MODES);
            String io = check(field + ".io", disk.io(), IO_MODES);
            if ("native".equals(io) && !"none".equals(cache)) {
                throw new ConversionException(field + ".io: native needs cache: none (O_DIRECT)");
            }
            String node = "drive" + i;
            blockNodes(qemu, node, ready, readonly, cache, io, field);

            QemuOpts device = QemuOpts.empty();
            String driver = switch (target.bus()) {
                case "virtio" -> "virtio-blk-pci";
                case "sata" -> {
                    if (sataPort >= SATA_PORTS) {
                        throw new ConversionException(field + ": more than " + SATA_PORTS + " sata disks");
                    }
                    if (target.kind() == DiskTargetKind.Kind.CDROM) {
                        device = device.with("bus", ControllersConfigurator.SATA + "." + sataPort++);
                        yield "ide-cd";
                    }
                    if (readonly) {
                        throw new ConversionException(field + ": a read-only sata disk cannot be emulated (QEMU's ide-hd has "
                                + "no read-only mode); use bus virtio or scsi, or a cdrom");
                    }
                    device = device.with("bus", ControllersConfigurator.SATA + "." + sataPort++);
                    yield "ide-hd";
                }
                case "scsi" -> {
                    device = device.with("bus", ControllersConfigurator.SCSI + ".0").with("channel", 0)
                            .with("scsi-id", scsiId++).with("lun", 0);
                    yield switch (target.kind()) {
                        case CDROM -> "scsi-cd";
                        case LUN -> ready.blockDevice() ? "scsi-block" : "scsi-hd";
                        case DISK -> "scsi-hd";
                    };
                }
                case "usb" -> {
                    device = device.with("bus", ControllersConfigurator.USB + ".0");
                    yield "usb-storage";
                }
                default -> throw new IllegalStateException("bus checked by DiskTargetKind: " + target.bus());
            };
            device = device.with("drive", node).with("id", "ua-" + disk.name());
            if (disk.bootOrder() != null) {
                if (disk.bootOrder() < 1) {
                    throw new ConversionException(field + ".bootOrder: must be >= 1, got " + disk.bootOrder());
                }
                device = device.with("bootindex", disk.bootOrder());
            }
            if (disk.serial() != null) {
                if (!SERIAL.matcher(disk.serial()).matches()) {
                    throw new ConversionException(field + ".serial: 1-20 characters of A-Z a-z 0-9 _ . + -: '" + disk.serial() + "'");
                }
                device = device.with("serial", disk.serial());
            }
            if (cache != null && !driver.equals("scsi-block") && !driver.equals("ide-cd") && !driver.equals("scsi-cd")) {
                device = device.with("write-cache", !cache.equals("writethrough"));
            }
            String ioThread = ioThreads.byDisk().get(disk.name());
            if (ioThread != null) {
                device = device.with("iothread", ioThread);
            }
            qemu.device(driver, device);
        }
    }

    /** True when the disk ends up on virtio-blk (the only device that takes an iothread here). */
    static boolean isVirtioDisk(Disk disk) {
        return disk.cdrom() == null && disk.lun() == null
                && (disk.disk() == null || disk.disk().bus() == null || disk.disk().bus().isEmpty()
                        || disk.disk().bus().equals("virtio"));
    }

    private static void blockNodes(QemuCommandLine.Builder qemu, String node, ReadyDisk ready, boolean readonly,
            String cache, String io, String field) {
        String path = SpecPaths.requireSafeAbsolute(field + " (prepared file)", ready.path()).toString();
        QemuOpts file = QemuOpts.empty().with("filename", path);
        if ("none".equals(cache)) {
            file = file.with("cache.direct", true);
        }
        if ("native".equals(io) || "threads".equals(io)) {
            file = file.with("aio", io);
        }
        QemuOpts format = QemuOpts.empty().with("file", node + "-file");
        if (readonly) {
            file = file.with("read-only", true);
            format = format.with("read-only", true);
        }
        qemu.blockdev(ready.blockDevice() ? "host_device" : "file", node + "-file", file);
        qemu.blockdev(ready.format().qemuDriver(), node, format);
    }

    private static String check(String field, String value, Set<String> allowed) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!allowed.contains(value)) {
            throw new ConversionException(field + ": unsupported '" + value + "' (supported: "
                    + String.join(", ", allowed.stream().sorted().toList()) + ")");
        }
        return value;
    }
}

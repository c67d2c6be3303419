package io.jvirt.handler.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.converter.LaunchRequest;
import io.jvirt.converter.DiskFormat;
import io.jvirt.converter.Netdev;
import io.jvirt.converter.ReadyDisk;
import io.jvirt.converter.DomainState;
import io.jvirt.qemu.Accel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every device kind the Configurators emit, in one VMI per machine type, is accepted by the real
 * QEMU (as the node agent starts it, {@link SupervisedQemu}): it starts paused and QEMU reports
 * {@code prelaunch} (it parsed and realized every option), then it is ended.
 */
class QemuAcceptsArgvIT {
    private static final Duration STEP = Duration.ofSeconds(60);

    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    private SupervisedQemu vm;

    @AfterEach
    void stop() throws Exception {
        if (vm != null) {
            vm.close();
        }
    }

    private static final String SPEC = """
        {"domain": {
           "machine": {"type": "MACHINE"},
           "cpu": {"sockets": 1, "cores": 2, "threads": 1, "model": "host-model"},
           "memory": {"guest": "96Mi"},
           "ioThreadsPolicy": "shared",
           "features": {"acpi": {}, "apic": {}, "smm": {"enabled": SMM}},
           "firmware": {"uuid": "5d307ca9-b3ef-428c-8861-06e72d69f223", "serial": "jvirt-serial-1" FIRMWARE},
           "clock": {"timezone": "Europe/Berlin"},
           "devices": {
             "disks": [
               {"name": "virtio", "disk": {"bus": "virtio"}, "bootOrder": 1, "serial": "vd1", "cache": "writeback", "io": "threads"},
               {"name": "dedicated", "disk": {"bus": "virtio"}, "dedicatedIOThread": true, "cache": "writethrough"},
               {"name": "sata", "disk": {"bus": "sata"}, "serial": "sd1"},
               {"name": "scsi", "disk": {"bus": "scsi", "readonly": true}},
               {"name": "usb", "disk": {"bus": "usb"}},
               {"name": "cd", "cdrom": {"bus": "sata"}, "bootOrder": 2},
               {"name": "scsicd", "cdrom": {"bus": "scsi"}},
               {"name": "lun", "lun": {}},
               {"name": "cloudinit", "disk": {}}],
             "interfaces": [
               {"name": "a", "model": "virtio", "masquerade": {}},
               {"name": "b", "model": "e1000", "macAddress": "02:00:00:00:00:0b"},
               {"name": "c", "model": "e1000e", "bootOrder": 3},
               {"name": "d", "model": "rtl8139"}],
             "inputs": [{"name": "t1", "type": "tablet", "bus": "usb"}, {"name": "t2", "type": "tablet", "bus": "virtio"},
                        {"name": "k1", "type": "keyboard", "bus": "virtio"}],
             "rng": {},
             "watchdog": {"name": "w", "i6300esb": {"action": "poweroff"}}}},
         "networks": [{"name": "a", "pod": {}}, {"name": "b", "multus": {"networkName": "x"}},
                      {"name": "c", "multus": {"networkName": "y"}}, {"name": "d", "multus": {"networkName": "z"}}],
         "volumes": [
           {"name": "virtio", "containerDisk": {"image": "i"}}, {"name": "dedicated", "emptyDisk": {"capacity": "16Mi"}},
           {"name": "sata", "persistentVolumeClaim": {"claimName": "p"}}, {"name": "scsi", "dataVolume": {"name": "dv"}},
           {"name": "usb", "hostDisk": {"path": "/h.img", "type": "Disk"}}, {"name": "cd", "hostDisk": {"path": "/cd.iso", "type": "Disk"}},
           {"name": "scsicd", "hostDisk": {"path": "/cd2.iso", "type": "Disk"}}, {"name": "lun", "persistentVolumeClaim": {"claimName": "l"}},
           {"name": "cloudinit", "cloudInitConfigDrive": {"userData": "#cloud-config\\n"}}]}
        """;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"q35+efi-secureboot", "q35+efi", "pc+bios"})
    void qemuRealizesEveryDeviceKind(String variant) throws Exception {
        String machine = variant.startsWith("pc") ? "pc" : "q35";
        String firmware = switch (variant) {
            case "q35+efi-secureboot" -> ", \"bootloader\": {\"efi\": {}}";
            case "q35+efi" -> ", \"bootloader\": {\"efi\": {\"secureBoot\": false}}";
            default -> ", \"bootloader\": {\"bios\": {}}";
        };
        String spec = SPEC.replace("MACHINE", machine).replace("SMM", Boolean.toString(variant.contains("secureboot")))
                .replace(" FIRMWARE", firmware);
        Map<String, ReadyDisk> volumes = new LinkedHashMap<>();
        volumes.put("virtio", ReadyDisk.jvirtOwned(DemoGuest.overlay(tmp), DiskFormat.QCOW2));
        volumes.put("dedicated", ReadyDisk.jvirtOwned(image("empty.qcow2", "qcow2"), DiskFormat.QCOW2));
        for (String raw : new String[] {"sata", "scsi", "usb", "cd", "scsicd", "lun"}) {
            volumes.put(raw, ReadyDisk.file(image(raw + ".img", "raw"), DiskFormat.RAW));
        }
        Map<String, io.jvirt.converter.Netdev> nets = Map.of("a", new Netdev.UserMode(true), "b", new Netdev.UserMode(true),
                "c", new Netdev.UserMode(true), "d", new Netdev.UserMode(true));
        java.nio.file.Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        for (ReadyDisk disk : volumes.values()) {
            java.nio.file.Files.setAttribute(disk.path(), "unix:uid", 107);
            java.nio.file.Files.setAttribute(disk.path(), "unix:gid", 107);
        }
        LaunchRequest request = new LaunchRequest(DemoGuest.vmi(spec), tmp.resolve("run"), Accel.TCG, 32, volumes, nets, null, Map.of(), "107:107");
        vm = SupervisedQemu.start(request, tmp);
        vm.supervisor.attach(true);
        vm.awaitState(DomainState.PAUSED, STEP);
        assertEquals("prelaunch", vm.supervisor.info().qemuStatus());
        String qemuSaid = vm.log();
        org.junit.jupiter.api.Assertions.assertFalse(qemuSaid.contains("warning") || qemuSaid.contains("error"),
                "qemu complained about its argv: " + qemuSaid);
        vm.supervisor.kill();
        vm.awaitState(DomainState.SHUTOFF, STEP);
        assertEquals(0, vm.awaitExit(STEP), vm.log());
    }

    private Path image(String name, String format) throws Exception {
        Path p = tmp.resolve(name);
        DemoGuest.run("qemu-img", "create", "-q", "-f", format, p.toString(), "16M");
        return p;
    }
}

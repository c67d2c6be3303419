package io.jvirt.handler.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.converter.LaunchRequest;
import io.jvirt.converter.DiskFormat;
import io.jvirt.converter.Netdev;
import io.jvirt.converter.ReadyDisk;
import io.jvirt.converter.DomainState;
import io.jvirt.handler.Console;
import io.jvirt.qemu.Accel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest NIC on a named tap the "node" made in a private network namespace: QEMU runs in
 * that namespace, the NoCloud network-config gives the guest a static address, and the guest's
 * user-data script pings the host end of the tap. Nothing leaves the namespace.
 */
class TapNetworkIT {
    private static final Duration STEP = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private final String netns = "jvirt-it-" + UUID.randomUUID().toString().substring(0, 8);
    private SupervisedQemu vm;

    @BeforeEach
    void makeNamespaceWithTap() throws Exception {
        DemoGuest.run("ip", "netns", "add", netns);
        inNetns("ip", "link", "set", "lo", "up");
        inNetns("ip", "tuntap", "add", "dev", "jvtap0", "mode", "tap", "user", "107", "group", "107"); // QEMU's user opens it
        inNetns("ip", "addr", "add", "10.99.0.1/24", "dev", "jvtap0");
        inNetns("ip", "link", "set", "jvtap0", "up");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (vm != null) {
            vm.close();
        }
        DemoGuest.run("ip", "netns", "del", netns);
    }

    @Test
    void guestReachesTheHostEndOfItsTap() throws Exception {
        // QEMU runs as uid 107 and opens the named tap through /dev/net/tun. Debian's udev rules make it 0666; some
        // hosts (these development machines) have 0600, where QEMU's user cannot open any tap: the setup gives the
        // device Debian's mode, as it installs any other missing piece, instead of skipping the test
        Path tun = Path.of("/dev/net/tun");
        if (!java.nio.file.Files.getPosixFilePermissions(tun).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
            java.nio.file.Files.setPosixFilePermissions(tun, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        }
        String spec = """
            {"domain": {"memory": {"guest": "128Mi"},
                        "devices": {"disks": [{"name": "containerdisk"}, {"name": "cloudinitdisk"}],
                                    "interfaces": [{"name": "default", "bridge": {}, "model": "virtio"}]}},
             "networks": [{"name": "default", "pod": {}}],
             "terminationGracePeriodSeconds": 0,
             "volumes": [{"name": "containerdisk", "containerDisk": {"image": "registry:5000/jvirt/demo:latest"}},
                         {"name": "cloudinitdisk", "cloudInitNoCloud": {
                            "networkData": "version: 2\\nethernets:\\n  eth0:\\n    addresses: [10.99.0.2/24]\\n",
                            "userData": "#!/bin/sh\\nping -c 2 -W 5 10.99.0.1 >/dev/null && echo jvirt-tap-reached-host\\n"}}]}
            """;
        java.nio.file.Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Path overlay = DemoGuest.overlay(tmp);
        java.nio.file.Files.setAttribute(overlay, "unix:uid", 107);
        java.nio.file.Files.setAttribute(overlay, "unix:gid", 107);
        LaunchRequest request = new LaunchRequest(DemoGuest.vmi(spec), tmp.resolve("run"), Accel.TCG, 32,
                Map.of("containerdisk", ReadyDisk.jvirtOwned(overlay, DiskFormat.QCOW2)),
                Map.of("default", new Netdev.TapName("jvtap0")), null, Map.of(), "107:107");
        vm = SupervisedQemu.start(request, tmp, List.of("ip", "netns", "exec", netns));
        vm.supervisor.attach(false);
        try (Console console = Console.connect(tmp.resolve("run/serial.sock"), STEP)) {
            console.await("network-config v2 applied to eth0", 0, Duration.ofSeconds(90));
            console.await("jvirt-tap-reached-host", 0, Duration.ofSeconds(60));
        }
        vm.supervisor.kill();
        vm.awaitState(DomainState.SHUTOFF, STEP);
        assertEquals(0, vm.awaitExit(STEP), vm.log());
    }

    private void inNetns(String... command) throws Exception {
        String[] all = new String[command.length + 4];
        all[0] = "ip";
        all[1] = "netns";
        all[2] = "exec";
        all[3] = netns;
        System.arraycopy(command, 0, all, 4, command.length);
        DemoGuest.run(all);
    }
}

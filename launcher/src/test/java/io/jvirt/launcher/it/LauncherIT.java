package io.jvirt.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.converter.LaunchRequest;
import io.jvirt.converter.DiskFormat;
import io.jvirt.converter.KernelFiles;
import io.jvirt.converter.Netdev;
import io.jvirt.converter.ReadyDisk;
import io.jvirt.launcher.domain.DomainEvent;
import io.jvirt.launcher.domain.DomainState;
import io.jvirt.launcher.protocol.Command;
import io.jvirt.launcher.protocol.Message;
import io.jvirt.qemu.Accel;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real launcher JVM, real QEMU (TCG) and the demo guest, driven only through the launcher's
 * socket protocol, the console socket and the VNC socket.
 */
class LauncherIT {
    private static final Duration BOOT = Duration.ofSeconds(90);
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final int NOBODY = 65534;

    @TempDir
    Path tmp;

    private LauncherProcess launcher;

    @AfterEach
    void stopLauncher() throws Exception {
        if (launcher != null) {
            launcher.close();
        }
    }

    private LaunchRequest request(String spec, Map<String, ReadyDisk> volumes, KernelFiles kernel) throws Exception {
        return request(spec, volumes, kernel, null);
    }

    private LaunchRequest request(String spec, Map<String, ReadyDisk> volumes, KernelFiles kernel, String qemuUser) throws Exception {
        return new LaunchRequest(DemoGuest.vmi(spec), tmp.resolve("run"), Accel.TCG, 32, volumes,
                Map.of("default", new Netdev.UserMode(true)), kernel, Map.of(), qemuUser);
    }

    private static final String DISK_SPEC = """
        {"domain": {"memory": {"guest": "128Mi"},
                    "devices": {"disks": [{"name": "containerdisk", "disk": {"bus": "virtio"}},
                                          {"name": "cloudinitdisk", "disk": {"bus": "virtio"}}],
                                "interfaces": [{"name": "default", "masquerade": {}}]}},
         "networks": [{"name": "default", "pod": {}}],
         "terminationGracePeriodSeconds": 60,
         "hostname": "jvirt-it-host",
         "volumes": [{"name": "containerdisk", "containerDisk": {"image": "registry:5000/jvirt/demo:latest"}},
                     {"name": "cloudinitdisk", "cloudInitNoCloud": {"userData": "#!/bin/sh\\necho jvirt-it-userdata-ran\\n"}}]}
        """;

    @Test
    void bootsToLoginRunsUserDataPausesAndShutsDownGracefully() throws Exception {
        Path overlay = DemoGuest.overlay(tmp);
        // QEMU runs as nobody: it must reach the overlay (the node's job) but nothing else of ours
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Files.setAttribute(overlay, "unix:uid", NOBODY);
        launcher = LauncherProcess.start(request(DISK_SPEC, Map.of("containerdisk", ReadyDisk.jvirtOwned(overlay, DiskFormat.QCOW2)), null,
                NOBODY + ":" + NOBODY), tmp);
        Path run = tmp.resolve("run");
        try (LauncherClient client = LauncherClient.connect(run.resolve("launcher.sock"), STEP)) {
            assertEquals("rw-------", permissions(run.resolve("launcher.sock")));
            assertEquals("rwx------", permissions(run));
            client.ok(new Command.Start(false));
            client.awaitState(DomainState.RUNNING, STEP);
            for (String socket : List.of("qmp.sock", "serial.sock", "vnc.sock")) {
                assertEquals("rw-------", permissions(run.resolve(socket)), socket);
            }
            long pid = client.ok(new Command.GetDomainInfo()).result().path("qemuPid").asLong();
            assertTrue(Files.readAllLines(Path.of("/proc/" + pid + "/status")).contains(
                    "Uid:\t" + NOBODY + "\t" + NOBODY + "\t" + NOBODY + "\t" + NOBODY), "qemu runs as nobody");
            try (Console console = Console.connect(run.resolve("serial.sock"), STEP)) {
                int afterLogin = console.await("jvirt-it-host login:", 0, BOOT);
                console.await("jvirt-it-userdata-ran", 0, BOOT);
                console.await("cloud-init: local-hostname jvirt-it-host", 0, BOOT);

                assertEquals("RFB 003.008\n", vncGreeting(run.resolve("vnc.sock")));

                client.ok(new Command.Pause());
                client.awaitState(DomainState.PAUSED, STEP);
                assertEquals("paused", client.ok(new Command.GetDomainInfo()).result().path("qemuStatus").asText());
                int before = console.length();
                console.type("\n");
                Thread.sleep(2000);
                assertEquals(before, console.length(), "a paused guest must not answer on its console");

                client.ok(new Command.Unpause());
                client.awaitState(DomainState.RUNNING, STEP);
                console.await("login:", afterLogin, STEP);
                assertEquals("running", client.ok(new Command.GetDomainInfo()).result().path("qemuStatus").asText());
                var stats = client.ok(new Command.GetStats()).result();
                System.out.println("memory with a 128 MiB guest at login (KiB): " + stats);
                assertTrue(stats.path("launcherPssKiB").asLong() > 0 && stats.path("qemuPssKiB").asLong() > 0, stats.toString());
            }
            long started = System.nanoTime();
            client.ok(new Command.Shutdown(null));
            DomainEvent end = client.awaitState(DomainState.SHUTOFF, Duration.ofSeconds(60));
            assertEquals("guest shutdown", end.reason());
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 60, "within the grace period");
        }
        assertEquals(0, launcher.awaitExit(STEP), launcher.stderrText());
        assertTrue(Files.readString(run.resolve("serial.log")).contains("jvirt-demo ready"), "serial log keeps the console output");
    }

    @Test
    void qemuRefusingToStartIsACrashCarryingQemusMessage() throws Exception {
        String spec = "{\"domain\": {\"memory\": {\"guest\": \"64Mi\"}, \"cpu\": {\"model\": \"NoSuchCpu\"}}}";
        launcher = LauncherProcess.start(request(spec, Map.of(), null), tmp);
        try (LauncherClient client = LauncherClient.connect(tmp.resolve("run/launcher.sock"), STEP)) {
            Message.Response start = client.send(new Command.Start(false));
            assertFalse(start.ok());
            assertTrue(start.error().contains("NoSuchCpu"), start.error());
            DomainEvent crash = client.awaitState(DomainState.CRASHED, STEP);
            assertTrue(crash.reason().contains("NoSuchCpu"), crash.reason());
        }
        assertEquals(2, launcher.awaitExit(STEP), launcher.stderrText());
    }

    @Test
    void guestIgnoringAcpiIsKilledAfterTheGracePeriod() throws Exception {
        Path overlay = DemoGuest.overlay(tmp);
        String spec = DISK_SPEC.replace("\"domain\": {", "\"domain\": {\"features\": {\"acpi\": {\"enabled\": false}},");
        launcher = LauncherProcess.start(request(spec, Map.of("containerdisk", ReadyDisk.jvirtOwned(overlay, DiskFormat.QCOW2)), null), tmp);
        try (LauncherClient client = LauncherClient.connect(tmp.resolve("run/launcher.sock"), STEP)) {
            client.ok(new Command.Start(false));
            client.awaitState(DomainState.RUNNING, STEP);
            long started = System.nanoTime();
            client.ok(new Command.Shutdown(3L));
            DomainEvent end = client.awaitState(DomainState.SHUTOFF, STEP);
            long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertTrue(end.reason().contains("grace period of 3s expired"), end.reason());
            assertTrue(waited >= 3000, "killed only after the grace period, waited " + waited + " ms");
        }
        assertEquals(0, launcher.awaitExit(STEP), launcher.stderrText());
    }

    @Test
    void sigtermToTheLauncherShutsTheGuestDownGracefully() throws Exception {
        Path overlay = DemoGuest.overlay(tmp);
        launcher = LauncherProcess.start(request(DISK_SPEC, Map.of("containerdisk", ReadyDisk.jvirtOwned(overlay, DiskFormat.QCOW2)), null), tmp);
        Path run = tmp.resolve("run");
        try (LauncherClient client = LauncherClient.connect(run.resolve("launcher.sock"), STEP)) {
            client.ok(new Command.Start(false));
            long qemuPid = client.ok(new Command.GetDomainInfo()).result().path("qemuPid").asLong();
            try (Console console = Console.connect(run.resolve("serial.sock"), STEP)) {
                console.await("login:", 0, BOOT);
            }
            launcher.process.destroy(); // SIGTERM, as when the launcher pod is deleted
            client.awaitState(DomainState.SHUTTING_DOWN, STEP);
            assertEquals("guest shutdown", client.awaitState(DomainState.SHUTOFF, Duration.ofSeconds(60)).reason());
            launcher.awaitExit(STEP);
            assertFalse(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false), "qemu is gone");
        }
    }

    @Test
    void qemuKilledFromOutsideIsReportedAsCrash() throws Exception {
        Path overlay = DemoGuest.overlay(tmp);
        launcher = LauncherProcess.start(request(DISK_SPEC, Map.of("containerdisk", ReadyDisk.jvirtOwned(overlay, DiskFormat.QCOW2)), null), tmp);
        try (LauncherClient client = LauncherClient.connect(tmp.resolve("run/launcher.sock"), STEP)) {
            client.ok(new Command.Start(false));
            client.awaitState(DomainState.RUNNING, STEP);
            var info = client.ok(new Command.GetDomainInfo()).result();
            assertEquals("RUNNING", info.path("lastEvent").path("state").asText(), info.toString());
            long pid = info.path("qemuPid").asLong();
            assertTrue(ProcessHandle.of(pid).isPresent(), "qemu runs");
            DemoGuest.run("kill", "-KILL", Long.toString(pid));
            DomainEvent crash = client.awaitState(DomainState.CRASHED, STEP);
            assertTrue(crash.reason().contains("signal 9"), crash.reason());
        }
        assertEquals(2, launcher.awaitExit(STEP), launcher.stderrText());
    }

    @Test
    void kernelBootBootsTheKernelBootPair() throws Exception {
        String spec = """
            {"domain": {"memory": {"guest": "128Mi"},
                        "firmware": {"kernelBoot": {"kernelArgs": "console=ttyS0",
                                     "container": {"image": "registry:5000/jvirt/demo-kernel:latest",
                                                   "kernelPath": "/boot/vmlinuz", "initrdPath": "/boot/initrd"}}},
                        "devices": {"autoattachGraphicsDevice": false}},
             "terminationGracePeriodSeconds": 0}
            """;
        KernelFiles kernel = new KernelFiles(copy("demo-vmlinuz"), copy("demo-initrd"));
        launcher = LauncherProcess.start(request(spec, Map.of(), kernel), tmp);
        Path run = tmp.resolve("run");
        try (LauncherClient client = LauncherClient.connect(run.resolve("launcher.sock"), STEP)) {
            client.ok(new Command.Start(false));
            try (Console console = Console.connect(run.resolve("serial.sock"), STEP)) {
                console.await("login:", 0, BOOT);
            }
            assertFalse(Files.exists(run.resolve("vnc.sock")), "no VNC without a graphics device");
            client.ok(new Command.Kill());
            assertEquals("killed by request", client.awaitState(DomainState.SHUTOFF, STEP).reason());
        }
        assertEquals(0, launcher.awaitExit(STEP), launcher.stderrText());
    }

    @Test
    void uefiWithoutSecureBootBootsTheKernelBootPair() throws Exception {
        String spec = """
            {"domain": {"memory": {"guest": "256Mi"},
                        "firmware": {"bootloader": {"efi": {"secureBoot": false}},
                                     "kernelBoot": {"kernelArgs": "console=ttyS0",
                                     "container": {"image": "k", "kernelPath": "/boot/vmlinuz", "initrdPath": "/boot/initrd"}}},
                        "devices": {"autoattachGraphicsDevice": false}},
             "terminationGracePeriodSeconds": 0}
            """;
        launcher = LauncherProcess.start(request(spec, Map.of(), new KernelFiles(copy("demo-vmlinuz"), copy("demo-initrd"))), tmp);
        Path run = tmp.resolve("run");
        try (LauncherClient client = LauncherClient.connect(run.resolve("launcher.sock"), STEP)) {
            assertTrue(Files.exists(run.resolve("efi-vars.fd")), "per-VMI copy of the UEFI variable store");
            client.ok(new Command.Start(false));
            try (Console console = Console.connect(run.resolve("serial.sock"), STEP)) {
                console.await("login:", 0, Duration.ofSeconds(180));
            }
            client.ok(new Command.Kill());
            client.awaitState(DomainState.SHUTOFF, STEP);
        }
        assertEquals(0, launcher.awaitExit(STEP), launcher.stderrText());
        assertTrue(Files.readString(tmp.resolve("run/serial.log"), java.nio.charset.StandardCharsets.ISO_8859_1).contains("efi: EFI v2.70 by EDK II"),
                "the kernel booted under OVMF (EDK II), not SeaBIOS");
    }

    @Test
    void secureBootIsOnWhenEfiAsksForIt() throws Exception {
        String spec = """
            {"domain": {"memory": {"guest": "256Mi"},
                        "features": {"acpi": {}, "smm": {"enabled": true}},
                        "firmware": {"bootloader": {"efi": {"secureBoot": true}},
                                     "kernelBoot": {"kernelArgs": "console=ttyS0",
                                     "container": {"image": "k", "kernelPath": "/boot/vmlinuz", "initrdPath": "/boot/initrd"}}},
                        "devices": {"autoattachGraphicsDevice": false}},
             "terminationGracePeriodSeconds": 0}
            """;
        launcher = LauncherProcess.start(request(spec, Map.of(), new KernelFiles(copy("demo-vmlinuz"), copy("demo-initrd"))), tmp);
        Path run = tmp.resolve("run");
        try (LauncherClient client = LauncherClient.connect(run.resolve("launcher.sock"), STEP)) {
            client.ok(new Command.Start(false));
            try (Console console = Console.connect(run.resolve("serial.sock"), STEP)) {
                console.await("login:", 0, Duration.ofSeconds(180));
            }
            client.ok(new Command.Kill());
            client.awaitState(DomainState.SHUTOFF, STEP);
        }
        assertEquals(0, launcher.awaitExit(STEP), launcher.stderrText());
        assertTrue(Files.readString(run.resolve("serial.log"), StandardCharsets.ISO_8859_1).contains("UEFI Secure Boot is enabled"),
                "the kernel's EFI stub saw Secure Boot on");
        assertFalse(Files.readString(run.resolve("qemu.log")).contains("warning"), Files.readString(run.resolve("qemu.log")));
    }

    @Test
    void softRebootAndResetRebootTheGuest() throws Exception {
        String spec = """
            {"domain": {"memory": {"guest": "128Mi"},
                        "firmware": {"kernelBoot": {"kernelArgs": "console=ttyS0",
                                     "container": {"image": "k", "kernelPath": "/boot/vmlinuz", "initrdPath": "/boot/initrd"}}}},
             "terminationGracePeriodSeconds": 0}
            """;
        launcher = LauncherProcess.start(request(spec, Map.of(), new KernelFiles(copy("demo-vmlinuz"), copy("demo-initrd"))), tmp);
        Path run = tmp.resolve("run");
        try (LauncherClient client = LauncherClient.connect(run.resolve("launcher.sock"), STEP)) {
            client.ok(new Command.Start(false));
            try (Console console = Console.connect(run.resolve("serial.sock"), STEP)) {
                int booted = console.await("login:", 0, BOOT);
                client.ok(new Command.SoftReboot());
                int rebooted = console.await("jvirt-demo ready", booted, BOOT);
                assertTrue(console.text().substring(booted, rebooted).contains("reboot"), "the guest rebooted itself");
                console.await("login:", rebooted, BOOT);
                int afterSoft = console.length();
                client.ok(new Command.Reset());
                console.await("jvirt-demo ready", afterSoft, BOOT);
            }
            assertEquals(DomainState.RUNNING.name(), client.ok(new Command.GetDomainInfo()).result().path("state").asText());
            client.ok(new Command.Kill());
            client.awaitState(DomainState.SHUTOFF, STEP);
        }
        assertEquals(0, launcher.awaitExit(STEP), launcher.stderrText());
    }

    @Test
    void bootOrderIsFollowedFromANonBootableCdromToTheDisk() throws Exception {
        Path iso = tmp.resolve("data.iso");
        Files.write(iso, io.jvirt.converter.cloudinit.CloudInitIsos.noCloud("x", "y",
                new io.jvirt.converter.cloudinit.CloudInitData("not bootable".getBytes(StandardCharsets.UTF_8), null)));
        String spec = """
            {"domain": {"memory": {"guest": "128Mi"},
                        "devices": {"disks": [{"name": "cd", "cdrom": {"bus": "sata"}, "bootOrder": 1},
                                              {"name": "containerdisk", "disk": {"bus": "virtio"}, "bootOrder": 2}]}},
             "terminationGracePeriodSeconds": 0,
             "volumes": [{"name": "cd", "hostDisk": {"path": "/data.iso", "type": "Disk"}},
                         {"name": "containerdisk", "containerDisk": {"image": "registry:5000/jvirt/demo:latest"}}]}
            """;
        bootToLogin(spec, Map.of("containerdisk", ReadyDisk.jvirtOwned(DemoGuest.overlay(tmp), DiskFormat.QCOW2),
                "cd", ReadyDisk.file(iso, DiskFormat.RAW)));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "marked disk has bootOrder {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void theDiskWithBootOrderOneBoots(int markedOrder) throws Exception {
        Path marked = markedDemoDisk("jvirt.bootdisk=marked");
        String spec = """
            {"domain": {"memory": {"guest": "128Mi"},
                        "devices": {"disks": [{"name": "plain", "disk": {"bus": "virtio"}, "bootOrder": PLAIN},
                                              {"name": "marked", "disk": {"bus": "virtio"}, "bootOrder": MARKED}]}},
             "terminationGracePeriodSeconds": 0,
             "volumes": [{"name": "plain", "containerDisk": {"image": "registry:5000/jvirt/demo:latest"}},
                         {"name": "marked", "hostDisk": {"path": "/marked.img", "type": "Disk"}}]}
            """.replace("PLAIN", Integer.toString(3 - markedOrder)).replace("MARKED", Integer.toString(markedOrder));
        launcher = LauncherProcess.start(request(spec, Map.of(
                "plain", ReadyDisk.jvirtOwned(DemoGuest.overlay(tmp), DiskFormat.QCOW2),
                "marked", ReadyDisk.file(marked, DiskFormat.RAW)), null), tmp);
        Path run = tmp.resolve("run");
        try (LauncherClient client = LauncherClient.connect(run.resolve("launcher.sock"), STEP)) {
            client.ok(new Command.Start(false));
            try (Console console = Console.connect(run.resolve("serial.sock"), STEP)) {
                console.await("login:", 0, BOOT);
                assertEquals(markedOrder == 1, console.text().contains("jvirt.bootdisk=marked"), "booted the other disk");
            }
            client.ok(new Command.Kill());
            client.awaitState(DomainState.SHUTOFF, STEP);
        }
        assertEquals(0, launcher.awaitExit(STEP), launcher.stderrText());
    }

    /** A raw copy of the demo disk whose boot loader passes {@code marker} (instead of quiet) to the kernel. */
    private Path markedDemoDisk(String marker) throws Exception {
        Path raw = tmp.resolve("marked.img");
        DemoGuest.run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", DemoGuest.image("demo.qcow2").toString(), raw.toString());
        Path cfg = tmp.resolve("syslinux.cfg");
        DemoGuest.run("mcopy", "-i", raw.toString(), "::syslinux.cfg", cfg.toString());
        String original = Files.readString(cfg);
        assertTrue(original.contains(" quiet"), original);
        Files.writeString(cfg, original.replace(" quiet", " " + marker));
        DemoGuest.run("mcopy", "-o", "-i", raw.toString(), cfg.toString(), "::syslinux.cfg");
        return raw;
    }

    /** Starts the spec, waits for the login prompt on the console (fails otherwise), then kills the guest. */
    private void bootToLogin(String spec, Map<String, ReadyDisk> volumes) throws Exception {
        launcher = LauncherProcess.start(request(spec, volumes, null), tmp);
        Path run = tmp.resolve("run");
        try (LauncherClient client = LauncherClient.connect(run.resolve("launcher.sock"), STEP)) {
            client.ok(new Command.Start(false));
            try (Console console = Console.connect(run.resolve("serial.sock"), STEP)) {
                console.await("login:", 0, BOOT);
            }
            client.ok(new Command.Kill());
            client.awaitState(DomainState.SHUTOFF, STEP);
        }
        assertEquals(0, launcher.awaitExit(STEP), launcher.stderrText());
    }

    @Test
    void commandsOutsideTheirStatesAndOtherVersionsAreRefused() throws Exception {
        Path overlay = DemoGuest.overlay(tmp);
        launcher = LauncherProcess.start(request(DISK_SPEC, Map.of("containerdisk", ReadyDisk.jvirtOwned(overlay, DiskFormat.QCOW2)), null), tmp);
        try (LauncherClient client = LauncherClient.connect(tmp.resolve("run/launcher.sock"), STEP)) {
            assertTrue(client.ok(new Command.Ping()).result().path("pong").asBoolean());
            Message.Response pause = client.send(new Command.Pause());
            assertFalse(pause.ok());
            assertTrue(pause.error().contains("not legal in state DEFINED"), pause.error());
            Message.Response v2 = client.sendRaw(2, new Command.Ping());
            assertFalse(v2.ok());
            assertTrue(v2.error().contains("unsupported protocol version 2"), v2.error());
            client.ok(new Command.Start(true));
            client.awaitState(DomainState.PAUSED, STEP);
            assertEquals("prelaunch", client.ok(new Command.GetDomainInfo()).result().path("qemuStatus").asText());
            assertFalse(client.send(new Command.Start(false)).ok(), "a second start is refused");
            client.ok(new Command.Kill());
            client.awaitState(DomainState.SHUTOFF, STEP);
        }
        assertEquals(0, launcher.awaitExit(STEP), launcher.stderrText());
    }

    @Test
    void imageWithBackingFileOnEtcPasswdIsRefusedBeforeQemuStarts() throws Exception {
        Path evil = tmp.resolve("disk.img");
        DemoGuest.run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", "/etc/passwd", evil.toString(), "1M");
        String spec = """
            {"domain": {"memory": {"guest": "64Mi"}, "devices": {"disks": [{"name": "pvc", "disk": {}}]}},
             "volumes": [{"name": "pvc", "persistentVolumeClaim": {"claimName": "uploaded"}}]}
            """;
        launcher = LauncherProcess.start(request(spec, Map.of("pvc", ReadyDisk.file(evil, DiskFormat.QCOW2)), null), tmp);
        assertEquals(1, launcher.awaitExit(STEP));
        String err = launcher.stderrText();
        assertTrue(err.contains("volume pvc: refused") && err.contains("backing file") && err.contains("/etc/passwd"), err);
        assertFalse(Files.exists(tmp.resolve("run/qmp.sock")), "qemu must not have been started");
        assertFalse(Files.exists(tmp.resolve("run/qemu.log")), "qemu must not have been started");
    }

    private Path copy(String demoFile) throws Exception {
        Path target = tmp.resolve(demoFile);
        Files.copy(DemoGuest.image(demoFile), target);
        return target;
    }

    private static String permissions(Path p) throws Exception {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static String vncGreeting(Path socket) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer buf = ByteBuffer.allocate(12);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read the 12-byte ProtocolVersion message
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
        }
    }
}

package io.jvirt.handler.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.converter.ConversionException;
import io.jvirt.converter.DiskFormat;
import io.jvirt.converter.DomainEvent;
import io.jvirt.converter.DomainState;
import io.jvirt.converter.KernelFiles;
import io.jvirt.converter.LaunchRequest;
import io.jvirt.converter.Netdev;
import io.jvirt.converter.ReadyDisk;
import io.jvirt.converter.cloudinit.CloudInitData;
import io.jvirt.converter.cloudinit.CloudInitIsos;
import io.jvirt.handler.Console;
import io.jvirt.qemu.Accel;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The per-VM supervisor with real QEMU (TCG) and the demo guest, started as the node agent starts it
 * ({@link SupervisedQemu}: the converter's argv, QEMU as its own unprivileged user), driven only through the
 * supervisor, QEMU's console socket and VNC socket. Formerly the launcher's ITs.
 */
class SupervisorIT {
    private static final Duration BOOT = Duration.ofSeconds(90);
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final int QEMU_UID = 107;

    @TempDir
    Path tmp;

    private SupervisedQemu vm;

    @AfterEach
    void stop() throws Exception {
        if (vm != null) {
            vm.close();
        }
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

    /**
     * Starts {@code spec} as the node agent does: QEMU as 107:107, the test's own files handed to that user and
     * the temp directory searchable for it.
     */
    private SupervisedQemu start(String spec, Map<String, ReadyDisk> volumes, KernelFiles kernel) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        for (ReadyDisk disk : volumes.values()) {
            giveToQemu(disk.path());
        }
        if (kernel != null) {
            giveToQemu(kernel.kernel());
            giveToQemu(kernel.initrd());
        }
        LaunchRequest request = new LaunchRequest(DemoGuest.vmi(spec), tmp.resolve("run"), Accel.TCG, 32, volumes,
                Map.of("default", new Netdev.UserMode(true)), kernel, Map.of(), QEMU_UID + ":" + QEMU_UID);
        vm = SupervisedQemu.start(request, tmp);
        return vm;
    }

    private SupervisedQemu startDemoDisk(String spec) throws Exception {
        return start(spec, Map.of("containerdisk", ReadyDisk.jvirtOwned(DemoGuest.overlay(tmp), DiskFormat.QCOW2)), null);
    }

    private static void giveToQemu(Path file) throws IOException {
        if (file.startsWith(Path.of(System.getProperty("java.io.tmpdir"))) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            Files.setAttribute(file, "unix:uid", QEMU_UID, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(file, "unix:gid", QEMU_UID, LinkOption.NOFOLLOW_LINKS);
        }
    }

    @Test
    void bootsToLoginRunsUserDataPausesAndShutsDownGracefully() throws Exception {
        startDemoDisk(DISK_SPEC);
        Path run = tmp.resolve("run");
        vm.supervisor.attach(false);
        assertEquals(DomainState.RUNNING, vm.supervisor.state());
        assertEquals("rwx------", permissions(run));
        for (String socket : List.of("qmp.sock", "serial.sock", "vnc.sock")) {
            assertEquals("rwx------", permissions(run.resolve(socket)), socket + ": umask 077, QEMU's user alone");
        }
        long pid = vm.supervisor.info().qemuPid();
        assertEquals(vm.qemu.pid(), pid, "the process started is QEMU itself");
        List<String> status = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
        assertTrue(status.contains("Uid:\t107\t107\t107\t107") && status.contains("Seccomp:\t2") && status.contains("NoNewPrivs:\t1"),
                "QEMU runs as 107, sandboxed: " + status);
        try (Console console = Console.connect(run.resolve("serial.sock"), STEP)) {
            int afterLogin = console.await("jvirt-it-host login:", 0, BOOT);
            console.await("jvirt-it-userdata-ran", 0, BOOT);
            console.await("cloud-init: local-hostname jvirt-it-host", 0, BOOT);

            assertEquals("RFB 003.008\n", vncGreeting(run.resolve("vnc.sock")));

            vm.supervisor.pause();
            assertEquals(DomainState.PAUSED, vm.awaitState(DomainState.PAUSED, STEP).state());
            assertEquals("paused", vm.supervisor.info().qemuStatus());
            console.type("\n");
            vm.supervisor.unpause(); // a paused guest cannot answer; once running it answers the newline
            vm.awaitState(DomainState.RUNNING, STEP);
            console.await("login:", afterLogin, STEP);
            assertEquals("running", vm.supervisor.info().qemuStatus());
            assertTrue(vm.supervisor.query("query-blockstats").orElseThrow().isArray(), "read-only QMP queries for metrics");
            assertThrows(IllegalArgumentException.class, () -> vm.supervisor.query("quit"));
        }
        long started = System.nanoTime();
        vm.supervisor.shutdown(Duration.ofSeconds(60));
        DomainEvent end = vm.awaitState(DomainState.SHUTOFF, Duration.ofSeconds(60));
        assertEquals("guest shutdown", end.reason());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 60, "within the grace period");
        assertEquals(0, vm.awaitExit(STEP), vm.log());
        assertTrue(Files.readString(run.resolve("serial.log")).contains("jvirt-demo ready"), "serial log keeps the console output");
    }

    @Test
    void qemuRefusingToStartIsACrashCarryingQemusMessage() throws Exception {
        start("{\"domain\": {\"memory\": {\"guest\": \"64Mi\"}, \"cpu\": {\"model\": \"NoSuchCpu\"}}}", Map.of(), null);
        assertThrows(IOException.class, () -> vm.supervisor.attach(false));
        DomainEvent crash = vm.awaitState(DomainState.CRASHED, STEP);
        assertTrue(crash.reason().contains("NoSuchCpu"), crash.reason());
    }

    @Test
    void guestIgnoringAcpiIsKilledAfterTheGracePeriod() throws Exception {
        startDemoDisk(DISK_SPEC.replace("\"domain\": {", "\"domain\": {\"features\": {\"acpi\": {\"enabled\": false}},"));
        vm.supervisor.attach(false);
        long started = System.nanoTime();
        vm.supervisor.shutdown(Duration.ofSeconds(3));
        DomainEvent end = vm.awaitState(DomainState.SHUTOFF, STEP);
        long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertTrue(end.reason().contains("grace period of 3s expired"), end.reason());
        assertTrue(waited >= 3000, "killed only after the grace period, waited " + waited + " ms");
    }

    /** A pod being deleted: {@link Supervisor#stop} presses the power button and returns once QEMU has exited. */
    @Test
    void stopShutsTheGuestDownGracefullyAndReturnsWhenQemuIsGone() throws Exception {
        startDemoDisk(DISK_SPEC);
        vm.supervisor.attach(false);
        try (Console console = Console.connect(tmp.resolve("run/serial.sock"), STEP)) {
            console.await("login:", 0, BOOT);
        }
        vm.supervisor.stop(Duration.ofSeconds(60));
        assertFalse(vm.qemu.isAlive(), "QEMU is gone when stop returns");
        assertEquals("guest shutdown", vm.awaitState(DomainState.SHUTOFF, STEP).reason());
    }

    @Test
    void qemuKilledFromOutsideIsReportedAsCrash() throws Exception {
        startDemoDisk(DISK_SPEC);
        vm.supervisor.attach(false);
        Supervisor.Info info = vm.supervisor.info();
        assertEquals(DomainState.RUNNING, info.lastEvent().state());
        DemoGuest.run("kill", "-KILL", Long.toString(info.qemuPid()));
        DomainEvent crash = vm.awaitState(DomainState.CRASHED, STEP);
        assertTrue(crash.reason().contains("signal 9"), crash.reason());
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
        Path run = bootToLogin(spec, Map.of(), new KernelFiles(copy("demo-vmlinuz"), copy("demo-initrd")));
        assertFalse(Files.exists(run.resolve("vnc.sock")), "no VNC without a graphics device");
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
        Path run = bootToLogin(spec, Map.of(), new KernelFiles(copy("demo-vmlinuz"), copy("demo-initrd")));
        assertTrue(Files.exists(run.resolve("efi-vars.fd")), "per-VMI copy of the UEFI variable store");
        assertTrue(Files.readString(run.resolve("serial.log"), StandardCharsets.ISO_8859_1).contains("efi: EFI v2.70 by EDK II"),
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
        Path run = bootToLogin(spec, Map.of(), new KernelFiles(copy("demo-vmlinuz"), copy("demo-initrd")));
        assertTrue(Files.readString(run.resolve("serial.log"), StandardCharsets.ISO_8859_1).contains("UEFI Secure Boot is enabled"),
                "the kernel's EFI stub saw Secure Boot on");
        assertFalse(vm.log().contains("warning"), vm.log());
    }

    @Test
    void softRebootAndResetRebootTheGuest() throws Exception {
        String spec = """
            {"domain": {"memory": {"guest": "128Mi"},
                        "firmware": {"kernelBoot": {"kernelArgs": "console=ttyS0",
                                     "container": {"image": "k", "kernelPath": "/boot/vmlinuz", "initrdPath": "/boot/initrd"}}}},
             "terminationGracePeriodSeconds": 0}
            """;
        start(spec, Map.of(), new KernelFiles(copy("demo-vmlinuz"), copy("demo-initrd")));
        vm.supervisor.attach(false);
        try (Console console = Console.connect(tmp.resolve("run/serial.sock"), STEP)) {
            int booted = console.await("login:", 0, BOOT);
            vm.supervisor.softReboot();
            int rebooted = console.await("jvirt-demo ready", booted, BOOT);
            assertTrue(console.text().substring(booted, rebooted).contains("reboot"), "the guest rebooted itself");
            console.await("login:", rebooted, BOOT);
            int afterSoft = console.length();
            vm.supervisor.reset();
            console.await("jvirt-demo ready", afterSoft, BOOT);
        }
        assertEquals(DomainState.RUNNING, vm.supervisor.state(), "a reboot is no power-off (-no-shutdown keeps rebooting)");
        killAndAwaitShutoff();
    }

    @Test
    void bootOrderIsFollowedFromANonBootableCdromToTheDisk() throws Exception {
        Path iso = tmp.resolve("data.iso");
        Files.write(iso, CloudInitIsos.noCloud("x", "y", new CloudInitData("not bootable".getBytes(StandardCharsets.UTF_8), null)));
        String spec = """
            {"domain": {"memory": {"guest": "128Mi"},
                        "devices": {"disks": [{"name": "cd", "cdrom": {"bus": "sata"}, "bootOrder": 1},
                                              {"name": "containerdisk", "disk": {"bus": "virtio"}, "bootOrder": 2}]}},
             "terminationGracePeriodSeconds": 0,
             "volumes": [{"name": "cd", "hostDisk": {"path": "/data.iso", "type": "Disk"}},
                         {"name": "containerdisk", "containerDisk": {"image": "registry:5000/jvirt/demo:latest"}}]}
            """;
        bootToLogin(spec, Map.of("containerdisk", ReadyDisk.jvirtOwned(DemoGuest.overlay(tmp), DiskFormat.QCOW2),
                "cd", ReadyDisk.file(iso, DiskFormat.RAW)), null);
    }

    @ParameterizedTest(name = "marked disk has bootOrder {0}")
    @ValueSource(ints = {1, 2})
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
        Map<String, ReadyDisk> volumes = new HashMap<>();
        volumes.put("plain", ReadyDisk.jvirtOwned(DemoGuest.overlay(tmp), DiskFormat.QCOW2));
        volumes.put("marked", ReadyDisk.file(marked, DiskFormat.RAW));
        start(spec, volumes, null);
        vm.supervisor.attach(false);
        try (Console console = Console.connect(tmp.resolve("run/serial.sock"), STEP)) {
            console.await("login:", 0, BOOT);
            assertEquals(markedOrder == 1, console.text().contains("jvirt.bootdisk=marked"), "booted the other disk");
        }
        killAndAwaitShutoff();
    }

    @Test
    void commandsOutsideTheirStatesAreRefusedAndAPausedStartStaysInPrelaunch() throws Exception {
        startDemoDisk(DISK_SPEC);
        IllegalStateException early = assertThrows(IllegalStateException.class, () -> vm.supervisor.pause());
        assertTrue(early.getMessage().contains("cannot pause in state STARTING"), early.getMessage());
        vm.supervisor.attach(true);
        vm.awaitState(DomainState.PAUSED, STEP);
        assertEquals("prelaunch", vm.supervisor.info().qemuStatus());
        vm.supervisor.attach(true); // idempotent: connected already
        assertThrows(IllegalStateException.class, () -> vm.supervisor.softReboot());
        vm.supervisor.unpause();
        vm.awaitState(DomainState.RUNNING, STEP);
        killAndAwaitShutoff();
    }

    @Test
    void imageWithBackingFileOnEtcPasswdIsRefusedBeforeQemuStarts() throws Exception {
        Path evil = tmp.resolve("disk.img");
        DemoGuest.run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", "/etc/passwd", evil.toString(), "1M");
        String spec = """
            {"domain": {"memory": {"guest": "64Mi"}, "devices": {"disks": [{"name": "pvc", "disk": {}}]}},
             "volumes": [{"name": "pvc", "persistentVolumeClaim": {"claimName": "uploaded"}}]}
            """;
        ConversionException refused = assertThrows(ConversionException.class, () -> start(spec, Map.of("pvc", ReadyDisk.file(evil, DiskFormat.QCOW2)), null));
        assertTrue(refused.getMessage().contains("volume pvc: refused") && refused.getMessage().contains("backing file")
                && refused.getMessage().contains("/etc/passwd"), refused.getMessage());
        assertFalse(Files.exists(tmp.resolve("run/qmp.sock")), "qemu must not have been started");
    }

    /** Starts the spec, waits for the login prompt on the console (fails otherwise), then ends QEMU; the run directory. */
    private Path bootToLogin(String spec, Map<String, ReadyDisk> volumes, KernelFiles kernel) throws Exception {
        start(spec, volumes, kernel);
        vm.supervisor.attach(false);
        try (Console console = Console.connect(tmp.resolve("run/serial.sock"), STEP)) {
            console.await("login:", 0, Duration.ofSeconds(180));
        }
        killAndAwaitShutoff();
        return tmp.resolve("run");
    }

    private void killAndAwaitShutoff() throws Exception {
        vm.supervisor.kill();
        assertEquals("killed by request", vm.awaitState(DomainState.SHUTOFF, STEP).reason());
        assertEquals(0, vm.awaitExit(STEP), vm.log());
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

    private Path copy(String demoFile) throws Exception {
        Path target = tmp.resolve(demoFile);
        Files.copy(DemoGuest.image(demoFile), target);
        return target;
    }

    private static String permissions(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
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

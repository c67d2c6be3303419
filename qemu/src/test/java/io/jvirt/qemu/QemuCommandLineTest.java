package io.jvirt.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QemuCommandLineTest {

    /** A full hardened guest; the expected argv is checked in as golden/full-guest.argv, one word a line. */
    @Test
    void fullGuestMatchesGolden() throws IOException {
        QemuCommandLine cmd = QemuCommandLine.builder()
                .name("default_vmi,1")
                .uuid(UUID.fromString("5b1d6a8e-3c1b-4c2e-9d0f-123456789abc"))
                .machine("q35", QemuOpts.empty().with("acpi", true))
                .accel(Accel.TCG, QemuOpts.empty().with("tb-size", 32))
                .cpu("qemu64", "-cx16", "pmu=off")
                .smp(Smp.topology(1, 2, 1))
                .memoryMiB(128)
                .nodefaults()
                .noUserConfig()
                .sandbox(QemuCommandLine.STRICT_SANDBOX)
                .startPaused()
                .displayNone()
                .qmp("qmp", Path.of("/run/jvirt/vmi,1/qmp.sock"))
                .blockdev("file", "disk0-file", QemuOpts.empty().with("filename", "/var/lib/jvirt/disk,0.qcow2").with("read-only", true))
                .blockdev("qcow2", "disk0", QemuOpts.empty().with("file", "disk0-file").with("read-only", true))
                .device("virtio-blk-pci", QemuOpts.empty().with("drive", "disk0").with("bootindex", 1).with("serial", "a,b"))
                .drive(QemuOpts.empty().with("file", "/cloudinit/nocloud.iso").with("format", "raw").with("if", "none").with("id", "ci").with("media", "cdrom"))
                .netdev("user", "net0", QemuOpts.empty().with("restrict", true))
                .device("virtio-net-pci", QemuOpts.empty().with("netdev", "net0").with("mac", "52:54:00:12:34:56"))
                .chardevUnixServer("serial0", Path.of("/run/jvirt/serial.sock"))
                .serial("serial0")
                .chardevFile("log0", Path.of("/run/jvirt/serial.log"))
                .device("VGA")
                .vncUnixSocket(Path.of("/run/jvirt/vnc,1.sock"))
                .object("rng-random", "rng0", QemuOpts.empty().with("filename", "/dev/urandom"))
                .device("virtio-rng-pci", QemuOpts.empty().with("rng", "rng0"))
                .rtc(QemuOpts.empty().with("base", "utc"))
                .global("ICH9-LPC", "disable_s3", "1")
                .kernel(Path.of("/boot/vmlinux"))
                .initrd(Path.of("/boot/initrd,x"))
                .append("console=ttyS0 quiet a=b,c")
                .bios(Path.of("/usr/share/qemu/qboot.rom"))
                .noReboot()
                .raw("-msg", "timestamp=on")
                .build();

        assertEquals(golden("full-guest.argv"), cmd.argv());
    }

    static Stream<Arguments> singleOptions() {
        return Stream.<Arguments>of(
                row("machine none", b -> b.machine("none"), "-machine", "none"),
                row("accel kvm", b -> b.accel(Accel.KVM), "-accel", "kvm"),
                row("cpu bare", b -> b.cpu("host"), "-cpu", "host"),
                row("smp of 4", b -> b.smp(Smp.of(4)), "-smp", "4,sockets=1,cores=4,threads=1"),
                row("name with equals", b -> b.name("a=b"), "-name", "guest=a=b,debug-threads=on"),
                row("vnc none", QemuCommandLine.Builder::vncNone, "-vnc", "none"),
                row("no-shutdown", QemuCommandLine.Builder::noShutdown, "-no-shutdown"),
                row("pidfile verbatim", b -> b.pidfile(Path.of("/a,b")), "-pidfile", "/a,b"),
                row("boot strict", b -> b.boot(QemuOpts.empty().with("strict", true)), "-boot", "strict=on"),
                row("device json-free head with comma", b -> b.device("x,y"), "-device", "x,,y"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleOptions")
    void singleOptionRenders(String name, Consumer<QemuCommandLine.Builder> adder, List<String> expected) {
        QemuCommandLine.Builder b = QemuCommandLine.builder(Path.of("/q"));
        adder.accept(b);
        assertEquals(expected, b.build().args());
    }

    static Stream<Arguments> illegal() {
        return Stream.<Arguments>of(
                Arguments.of("cpu with comma", (Consumer<QemuCommandLine.Builder>) b -> b.cpu("qemu64,+x")),
                Arguments.of("chardev id with space", (Consumer<QemuCommandLine.Builder>) b -> b.chardevFile("a b", Path.of("/x"))),
                Arguments.of("netdev id starting with digit", (Consumer<QemuCommandLine.Builder>) b -> b.netdev("user", "0net", QemuOpts.empty())),
                Arguments.of("serial id with comma", (Consumer<QemuCommandLine.Builder>) b -> b.serial("a,b")),
                Arguments.of("zero memory", (Consumer<QemuCommandLine.Builder>) b -> b.memoryMiB(0)),
                Arguments.of("smp mismatch", (Consumer<QemuCommandLine.Builder>) b -> b.smp(new Smp(3, 1, 2, 1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("illegal")
    void rejectsWhatQemuWouldMisread(String name, Consumer<QemuCommandLine.Builder> adder) {
        assertThrows(IllegalArgumentException.class, () -> adder.accept(QemuCommandLine.builder()));
    }

    private static Arguments row(String name, Consumer<QemuCommandLine.Builder> adder, String... expected) {
        return Arguments.of(name, adder, List.of(expected));
    }

    private static List<String> golden(String name) throws IOException {
        try (InputStream in = QemuCommandLineTest.class.getResourceAsStream("golden/" + name)) {
            if (in == null) {
                throw new IOException("missing golden file " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}

package io.jvirt.images;

import io.jvirt.qemu.Accel;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import io.jvirt.qemu.QemuProcess;
import io.jvirt.qemu.qmp.QmpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One demo guest under QEMU (TCG) for the image tests: serial console to a file, QMP on a unix
 * socket, disks as overlays so the built image is never written. Build with {@link #builder}.
 * Not thread-safe; {@link #close()} kills QEMU if it still runs.
 */
final class DemoGuest implements AutoCloseable {
    /** Generous for a loaded 2-core box: SeaBIOS + bzImage boots in ~6 s here. */
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(60);

    private final QemuProcess qemu;
    private final Path serial;
    private final Path qmpSocket;
    private QmpClient qmp;

    private DemoGuest(QemuProcess qemu, Path serial, Path qmpSocket) {
        this.qemu = qemu;
        this.serial = serial;
        this.qmpSocket = qmpSocket;
    }

    static Builder builder(Path workDir) {
        return new Builder(workDir);
    }

    /** The built demo guest's files: build/images/demo (images/demo/build.sh, which ./test runs). */
    static Path demoDir() {
        Path dir = Path.of(System.getProperty("jvirt.build.dir", "../build"), "images", "demo");
        if (!Files.isRegularFile(dir.resolve("demo.qcow2"))) {
            throw new IllegalStateException("demo guest not built in " + dir + ": run images/demo/build.sh (./test does)");
        }
        return dir;
    }

    /** Everything the guest wrote to its serial console so far. */
    String console() throws IOException {
        return Files.exists(serial) ? Files.readString(serial, StandardCharsets.ISO_8859_1) : "";
    }

    /** Waits until the console shows {@code text}; fails with the console so far otherwise. */
    void awaitConsole(String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (console().contains(text)) {
                return;
            }
            if (!qemu.isAlive()) {
                throw new AssertionError("QEMU exited before '" + text + "': " + qemu.logTail() + "\nconsole:\n" + console());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' on the console within " + timeout + "; console:\n" + console());
    }

    QmpClient qmp() throws IOException, InterruptedException {
        if (qmp == null) {
            qmp = QmpClient.connect(qmpSocket, Duration.ofSeconds(10));
        }
        return qmp;
    }

    QemuProcess process() {
        return qemu;
    }

    @Override
    public void close() throws InterruptedException {
        if (qmp != null) {
            qmp.close();
        }
        qemu.close();
    }

    static final class Builder {
        private final Path workDir;
        private final List<Path> disks = new ArrayList<>();
        private final List<Path> cdroms = new ArrayList<>();
        private Path kernel;
        private Path initrd;
        private Integer httpHostPort;
        private Integer sshHostPort;

        private Builder(Path workDir) {
            this.workDir = workDir;
        }

        /** Boots from a copy-on-write overlay of {@code image} (qcow2). */
        Builder disk(Path image) throws IOException, InterruptedException {
            Path overlay = workDir.resolve("disk" + disks.size() + ".qcow2");
            run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", image.toAbsolutePath().toString(), overlay.toString());
            disks.add(overlay);
            return this;
        }

        /** A read-only raw image (a NoCloud ISO) on a virtio disk. */
        Builder readOnlyDisk(Path raw) {
            cdroms.add(raw);
            return this;
        }

        Builder kernelBoot(Path kernel, Path initrd) {
            this.kernel = kernel;
            this.initrd = initrd;
            return this;
        }

        /** Forwards 127.0.0.1:{@code port} to the guest's port 80 (user-mode network, loopback only). */
        Builder forwardHttp(int port) {
            this.httpHostPort = port;
            return this;
        }

        /** Forwards 127.0.0.1:{@code port} to the guest's SSH server on port 22 (user-mode network, loopback only). */
        Builder forwardSsh(int port) {
            this.sshHostPort = port;
            return this;
        }

        DemoGuest start() throws IOException {
            Path serial = workDir.resolve("serial.log");
            Path qmp = workDir.resolve("qmp.sock");
            QemuCommandLine.Builder b = QemuCommandLine.builder()
                    .name("demo")
                    .machine("q35")
                    .accel(Accel.TCG, QemuOpts.empty().with("tb-size", 32))
                    .memoryMiB(128)
                    .nodefaults()
                    .displayNone()
                    .chardevFile("serial0", serial)
                    .serial("serial0")
                    .qmp("qmp0", qmp);
            for (int i = 0; i < disks.size(); i++) {
                b.drive(QemuOpts.empty().with("file", disks.get(i).toString()).with("if", "none")
                        .with("id", "disk" + i).with("format", "qcow2"));
                b.device("virtio-blk-pci", QemuOpts.empty().with("drive", "disk" + i));
            }
            for (int i = 0; i < cdroms.size(); i++) {
                b.drive(QemuOpts.empty().with("file", cdroms.get(i).toString()).with("if", "none")
                        .with("id", "ro" + i).with("format", "raw").with("readonly", "on"));
                b.device("virtio-blk-pci", QemuOpts.empty().with("drive", "ro" + i));
            }
            if (kernel != null) {
                b.kernel(kernel).initrd(initrd).append("console=ttyS0 quiet");
            }
            QemuOpts net = QemuOpts.empty();
            if (httpHostPort != null) {
                net = net.with("hostfwd", "tcp:127.0.0.1:" + httpHostPort + "-:80");
            }
            if (sshHostPort != null) {
                net = net.with("hostfwd", "tcp:127.0.0.1:" + sshHostPort + "-:22");
            }
            b.netdev("user", "net0", net);
            b.device("virtio-net-pci", QemuOpts.empty().with("netdev", "net0"));
            return new DemoGuest(QemuProcess.start(b.build(), workDir.resolve("qemu.log")), serial, qmp);
        }
    }

    /** Runs a command to completion; fails with its output if it exits non-zero. */
    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}

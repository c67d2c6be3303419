package io.jvirt.qemu.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.qemu.Accel;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import io.jvirt.qemu.QemuProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the demo guest's kernel-boot pair (uncompressed PVH vmlinux + initrd) under TCG, waits for
 * its ready line on the serial console, and powers it off through the ACPI button over QMP.
 */
class DemoGuestBootIT {
    private static final Duration BOOT = Duration.ofSeconds(40);
    private static final Duration POWEROFF = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void bootsToReadyAndPowersOffOnAcpiButton() throws Exception {
        Path demo = Path.of(System.getProperty("jvirt.build.dir", "build"), "images", "demo");
        Path kernel = demo.resolve("demo-vmlinux");
        Path initrd = demo.resolve("demo-initrd");
        assertTrue(Files.isRegularFile(kernel) && Files.isRegularFile(initrd),
                "demo kernel-boot pair missing under " + demo + ": run images/demo/build.sh");
        Path qmp = dir.resolve("qmp.sock");
        Path serial = dir.resolve("serial.log");
        QemuCommandLine cmd = QemuCommandLine.builder()
                .name("demo")
                .machine("q35")
                .accel(Accel.TCG, QemuOpts.empty().with("tb-size", 32))
                .nodefaults().noUserConfig()
                .sandbox(QemuCommandLine.STRICT_SANDBOX)
                .displayNone()
                .memoryMiB(128)
                .qmp("qmp", qmp)
                .chardevFile("serial0", serial)
                .serial("serial0")
                .kernel(kernel)
                .initrd(initrd)
                .append("console=ttyS0 quiet")
                .build();
        RecordingListener listener = new RecordingListener();
        try (QemuProcess qemu = QemuProcess.start(cmd, dir.resolve("qemu.log"));
             QmpClient client = qemu.connectQmp(qmp, BOOT, listener)) {
            assertTrue(awaitText(serial, "jvirt-demo ready", BOOT, qemu),
                    "no ready line within " + BOOT + "; console:\n" + read(serial) + "\nqemu:\n" + qemu.logTail());
            assertEquals(QmpStatus.RunState.RUNNING, client.queryStatus().state());

            client.systemPowerdown();
            assertNotNull(listener.awaitEvent(QmpEvent.Powerdown.class, POWEROFF));
            QmpEvent.Shutdown shutdown = listener.awaitEvent(QmpEvent.Shutdown.class, POWEROFF);
            assertNotNull(shutdown, "no SHUTDOWN event; console:\n" + read(serial));
            assertTrue(shutdown.guest(), shutdown.toString());
            assertEquals(Optional.of(0), qemu.waitFor(POWEROFF), qemu.logTail());
            assertTrue(listener.awaitDisconnect(POWEROFF));
        }
    }

    private static boolean awaitText(Path file, String text, Duration timeout, QemuProcess qemu)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && qemu.isAlive()) {
            if (read(file).contains(text)) {
                return true;
            }
            Thread.sleep(100);
        }
        return read(file).contains(text);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    }
}

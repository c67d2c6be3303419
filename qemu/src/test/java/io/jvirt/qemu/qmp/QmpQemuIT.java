package io.jvirt.qemu.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.qemu.Accel;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import io.jvirt.qemu.QemuProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The QMP client against the real qemu-system-x86_64 (TCG), no guest. */
class QmpQemuIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void negotiatesPausesResumesAndQuits() throws Exception {
        Path qmp = dir.resolve("qmp.sock");
        Path chardevLog = dir.resolve("out,put.log"); // a comma QEMU must read back through the escaping
        QemuCommandLine cmd = QemuCommandLine.builder()
                .name("vm,1")
                .machine("none")
                .accel(Accel.TCG, QemuOpts.empty().with("tb-size", 32))
                .nodefaults().noUserConfig()
                .sandbox(QemuCommandLine.STRICT_SANDBOX)
                .displayNone()
                .memoryMiB(16)
                .startPaused()
                .qmp("qmp", qmp)
                .chardevFile("log0", chardevLog)
                .build();
        RecordingListener listener = new RecordingListener();
        try (QemuProcess qemu = QemuProcess.start(cmd, dir.resolve("qemu.log"));
             QmpClient client = qemu.connectQmp(qmp, WAIT, listener)) {
            assertEquals(7, client.greeting().version().major(), qemu.logTail());
            assertEquals(client.greeting().version(), client.queryVersion());

            QmpStatus before = client.queryStatus();
            assertFalse(before.running());
            assertEquals(QmpStatus.RunState.PRELAUNCH, before.state(), before.rawState());

            client.cont();
            assertNotNull(listener.awaitEvent(QmpEvent.Resume.class, WAIT));
            assertEquals(QmpStatus.RunState.RUNNING, client.queryStatus().state());

            client.stop();
            assertNotNull(listener.awaitEvent(QmpEvent.Stop.class, WAIT));
            assertEquals(QmpStatus.RunState.PAUSED, client.queryStatus().state());

            assertEquals("vm,1", client.execute("query-name").path("name").asText());
            assertTrue(Files.exists(chardevLog), "QEMU created the chardev file with the comma in its name");

            QmpErrorException error = org.junit.jupiter.api.Assertions.assertThrows(QmpErrorException.class,
                    () -> client.execute("no-such-command"));
            assertEquals("CommandNotFound", error.errorClass());

            client.quit();
            QmpEvent.Shutdown shutdown = listener.awaitEvent(QmpEvent.Shutdown.class, WAIT);
            assertNotNull(shutdown);
            assertEquals("host-qmp-quit", shutdown.reason());
            assertFalse(shutdown.guest());
            assertEquals(Optional.of(0), qemu.waitFor(WAIT), qemu.logTail());
            assertTrue(listener.awaitDisconnect(WAIT));
            assertFalse(client.isConnected());
        }
    }
}

package io.jvirt.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.qemu.img.ImageFormat;
import io.jvirt.qemu.img.QemuImg;
import io.jvirt.qemu.qmp.QmpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The argv builder against QEMU's real option parsers: values with commas (and an implied value
 * with '=') must reach QEMU unchanged. QEMU is started paused and asked back over QMP.
 */
class QemuCommandLineIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void escapedValuesReachQemuUnchanged() throws Exception {
        Path disk = dir.resolve("disk,0=x.qcow2");
        new QemuImg().create(disk, ImageFormat.QCOW2, 1 << 20);
        Path vnc = dir.resolve("vnc,1.sock");
        Path qmp = dir.resolve("qmp.sock");
        UUID uuid = UUID.fromString("5b1d6a8e-3c1b-4c2e-9d0f-123456789abc");
        QemuCommandLine cmd = QemuCommandLine.builder()
                .name("name=with,comma")
                .uuid(uuid)
                .machine("q35")
                .accel(Accel.TCG, QemuOpts.empty().with("tb-size", 32))
                .cpu("qemu64", "-cx16")
                .smp(Smp.topology(1, 2, 1))
                .memoryMiB(64)
                .nodefaults().noUserConfig()
                .sandbox(QemuCommandLine.STRICT_SANDBOX)
                .startPaused()
                .qmp("qmp", qmp)
                .blockdev("file", "disk0-file", QemuOpts.empty().with("filename", disk.toString()))
                .blockdev("qcow2", "disk0", QemuOpts.empty().with("file", "disk0-file"))
                .device("virtio-blk-pci", QemuOpts.empty().with("id", "vd0").with("drive", "disk0").with("serial", "a,b").with("bootindex", 1))
                .netdev("user", "net0", QemuOpts.empty().with("restrict", true))
                .device("virtio-net-pci", QemuOpts.empty().with("id", "nic0").with("netdev", "net0").with("mac", "52:54:00:12:34:56"))
                .device("VGA")
                .vncUnixSocket(vnc)
                .object("rng-random", "rng0", QemuOpts.empty().with("filename", "/dev/urandom"))
                .device("virtio-rng-pci", QemuOpts.empty().with("rng", "rng0"))
                .rtc(QemuOpts.empty().with("base", "utc"))
                .build();
        try (QemuProcess qemu = QemuProcess.start(cmd, dir.resolve("qemu.log"));
             QmpClient client = qemu.connectQmp(qmp, Duration.ofSeconds(20))) {
            assertEquals("name=with,comma", client.execute("query-name").path("name").asText(), qemu.logTail());
            assertEquals(uuid.toString(), client.execute("query-uuid").path("UUID").asText());
            assertEquals(2, client.execute("query-cpus-fast").size());
            assertEquals("a,b", qomGet(client, "/machine/peripheral/vd0", "serial").asText());
            assertEquals("52:54:00:12:34:56", qomGet(client, "/machine/peripheral/nic0", "mac").asText());
            assertEquals(disk.toString(), fileOfNode(client, "disk0-file"));
            assertTrue(Files.exists(vnc), "VNC socket created at the path with a comma");
            client.quit();
            assertEquals(java.util.Optional.of(0), qemu.waitFor(Duration.ofSeconds(10)));
        }
    }

    /** A command line QEMU rejects fails the QMP connect at once, with QEMU's own message. */
    @Test
    void rejectedCommandLineFailsFastWithQemusWords() throws Exception {
        Path qmp = dir.resolve("qmp.sock");
        QemuCommandLine cmd = QemuCommandLine.builder()
                .machine("none").accel(Accel.TCG).nodefaults().noUserConfig().displayNone()
                .qmp("qmp", qmp)
                .device("no-such-device")
                .build();
        long start = System.nanoTime();
        try (QemuProcess qemu = QemuProcess.start(cmd, dir.resolve("qemu.log"))) {
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> qemu.connectQmp(qmp, Duration.ofSeconds(20)).close());
            assertTrue(e.getMessage().contains("QEMU exited 1") && e.getMessage().contains("no-such-device"), e.getMessage());
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
    }

    private static JsonNode qomGet(QmpClient client, String path, String property) throws Exception {
        ObjectNode args = JSON.createObjectNode().put("path", path).put("property", property);
        return client.execute("qom-get", args, QmpClient.DEFAULT_TIMEOUT);
    }

    private static String fileOfNode(QmpClient client, String nodeName) throws Exception {
        for (JsonNode node : client.execute("query-named-block-nodes")) {
            if (nodeName.equals(node.path("node-name").asText())) {
                return node.path("file").asText();
            }
        }
        throw new AssertionError("no block node " + nodeName);
    }
}

package io.jvirt.handler.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.qemu.img.BackingChain;
import io.jvirt.qemu.img.ImageFormat;
import io.jvirt.qemu.img.ImageInfo;
import io.jvirt.qemu.img.QemuImg;
import io.jvirt.qemu.img.UnsafeImageException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** containerDisk preparation with the real qemu-img, on the demo OCI layout and hand-made bad layouts. */
class ContainerDisksIT {
    private static final Path DEMO = Path.of(System.getProperty("jvirt.build.dir", "build")).resolve("images/demo/containerdisk");
    private Path dir;
    private final QemuImg qemuImg = new QemuImg();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("jvirt-containerdisks");
    }

    @AfterEach
    void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void demoDiskIsExtractedOnceAndEachVmiGetsItsOwnOverlay() throws Exception {
        assumeTrue(Files.isDirectory(DEMO), "demo containerDisk not built (images/demo/build.sh)");
        ContainerDisks disks = new ContainerDisks(dir.resolve("cache"), qemuImg);
        Path a = disks.overlay(DEMO, dir.resolve("a.qcow2"));
        ContainerDisks.Base base = disks.base(DEMO);
        long extractedAt = Files.getLastModifiedTime(base.path()).toMillis();
        Path b = disks.overlay(DEMO, dir.resolve("b.qcow2"));
        assertEquals(extractedAt, Files.getLastModifiedTime(disks.base(DEMO).path()).toMillis(), "extracted once");
        assertEquals(ImageFormat.QCOW2, base.format());
        for (Path overlay : new Path[] {a, b}) {
            ImageInfo info = qemuImg.inspect(overlay, ImageFormat.QCOW2, BackingChain.JVIRT_OWNED);
            assertEquals(base.path().toString(), info.backingFile());
            assertEquals(qemuImg.info(base.path(), ImageFormat.QCOW2).virtualSize(), info.virtualSize());
        }
    }

    @Test
    void refusesLayoutsWithTwoLayersOrNoDiskOrAForeignBackingFile() throws Exception {
        ContainerDisks disks = new ContainerDisks(dir.resolve("cache"), qemuImg);
        Path raw = dir.resolve("plain.raw");
        qemuImg.create(raw, ImageFormat.RAW, 1 << 20);
        IOException twoLayers = assertThrows(IOException.class, () -> disks.base(layout("two", 2, "disk/x.img", raw)));
        assertTrue(twoLayers.getMessage().contains("2 layers"), twoLayers.getMessage());
        IOException noDisk = assertThrows(IOException.class, () -> disks.base(layout("nodisk", 1, "other/x.img", raw)));
        assertTrue(noDisk.getMessage().contains("no disk/"), noDisk.getMessage());

        Path evil = dir.resolve("evil.qcow2");
        Files.writeString(dir.resolve("secret"), "x");
        qemuImg.create(dir.resolve("secret.qcow2"), ImageFormat.QCOW2, 1 << 20);
        qemuImg.createOverlay(evil, dir.resolve("secret.qcow2"), ImageFormat.QCOW2);
        assertThrows(UnsafeImageException.class, () -> disks.base(layout("evil", 1, "disk/evil.qcow2", evil)));

        ContainerDisks.Base ok = disks.base(layout("ok", 1, "disk/plain.img", raw));
        assertEquals(ImageFormat.RAW, ok.format());
    }

    /** An OCI layout whose manifest has {@code layers} copies of one gzip layer holding {@code file} as {@code entry}. */
    private Path layout(String name, int layers, String entry, Path file) throws Exception {
        Path layout = dir.resolve(name);
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Path tmp = dir.resolve(name + ".tgz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp)); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry(entry);
            e.setSize(Files.size(file));
            tar.putArchiveEntry(e);
            Files.copy(file, tar);
            tar.closeArchiveEntry();
        }
        String layer = store(blobs, Files.readAllBytes(tmp));
        StringBuilder layerList = new StringBuilder();
        for (int i = 0; i < layers; i++) {
            layerList.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:")
                    .append(layer).append("\"}");
        }
        String manifest = store(blobs, ("{\"schemaVersion\":2,\"layers\":[" + layerList + "]}").getBytes(StandardCharsets.UTF_8));
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:" + manifest + "\"}]}");
        return layout;
    }

    private static String store(Path blobs, byte[] content) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Files.write(blobs.resolve(hex), content);
        return hex;
    }
}

package io.jvirt.qemu.img;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link QemuImg} against Debian's real qemu-img. */
class QemuImgIT {
    private final QemuImg qemuImg = new QemuImg();

    @TempDir
    Path dir;

    /** Builds a hostile image in {@code dir}; returns its path. */
    @FunctionalInterface
    interface Fixture {
        Path make(Path dir) throws Exception;
    }

    static Stream<Arguments> foreignImagesReferringToOtherFiles() {
        return Stream.of(
                Arguments.of("qcow2 backed by /etc/passwd", ImageFormat.QCOW2, (Fixture) d -> {
                    Path bad = d.resolve("bad.qcow2");
                    new QemuImg().createOverlay(bad, Path.of("/etc/passwd"), ImageFormat.RAW);
                    return bad;
                }, "a backing file '/etc/passwd'"),
                Arguments.of("qcow2 with an external data file", ImageFormat.QCOW2, (Fixture) d -> {
                    Path img = d.resolve("data.qcow2");
                    qemuImg("create", "-q", "-f", "qcow2", "-o", "data_file=" + d.resolve("elsewhere.raw"), img.toString(), "1M");
                    return img;
                }, "an external data file '"),
                Arguments.of("vmdk whose extent is /etc/passwd", ImageFormat.VMDK, (Fixture) d -> {
                    Path img = d.resolve("evil.vmdk");
                    Files.writeString(img, """
                            # Disk DescriptorFile
                            version=1
                            CID=fffffffe
                            parentCID=ffffffff
                            createType="monolithicFlat"

                            RW 2 FLAT "/etc/passwd" 0
                            """);
                    return img;
                }, "an extent in another file '/etc/passwd'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("foreignImagesReferringToOtherFiles")
    void foreignImageReferringToAnotherFileIsRefusedByName(String name, ImageFormat format, Fixture fixture, String expected) throws Exception {
        Path image = fixture.make(dir);
        UnsafeImageException e = assertThrows(UnsafeImageException.class,
                () -> qemuImg.inspect(image, format, BackingChain.FOREIGN));
        assertTrue(e.getMessage().startsWith("refusing image " + image + ": it has " + expected), e.getMessage());

        Path target = dir.resolve("copy.raw");
        assertThrows(UnsafeImageException.class,
                () -> qemuImg.convert(image, format, target, ImageFormat.RAW, BackingChain.FOREIGN));
        assertFalse(Files.exists(target), "nothing was copied");
    }

    @Test
    void jvirtOwnedOverlayIsAcceptedAndDescribed() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Path overlay = dir.resolve("overlay.qcow2");
        qemuImg.create(base, ImageFormat.QCOW2, 64L << 20);
        qemuImg.createOverlay(overlay, base, ImageFormat.QCOW2);

        ImageInfo info = qemuImg.inspect(overlay, ImageFormat.QCOW2, BackingChain.JVIRT_OWNED);
        assertEquals(ImageFormat.QCOW2, info.format());
        assertEquals(64L << 20, info.virtualSize());
        assertTrue(info.actualSize() > 0);
        assertEquals(base.toString(), info.backingFile());
        assertEquals("qcow2", info.backingFormat());
        assertNull(info.dataFile());

        UnsafeImageException e = assertThrows(UnsafeImageException.class,
                () -> qemuImg.inspect(overlay, ImageFormat.QCOW2, BackingChain.FOREIGN));
        assertEquals(base.toString(), e.referencedFile());
    }

    static Stream<Arguments> plainImages() {
        return Stream.of(
                Arguments.of(ImageFormat.RAW, 1L << 20),
                Arguments.of(ImageFormat.QCOW2, 10L << 30),
                Arguments.of(ImageFormat.VMDK, 2L << 20),
                Arguments.of(ImageFormat.VDI, 4L << 20));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("plainImages")
    void plainImagePassesTheForeignCheck(ImageFormat format, long size) throws Exception {
        Path image = dir.resolve("disk:nbd," + format.qemuName()); // colon and comma: no protocol, no option parsing
        qemuImg.create(image, format, size);
        ImageInfo info = qemuImg.inspect(image, format, BackingChain.FOREIGN);
        assertEquals(new ImageInfo(image, format, size, info.actualSize(), null, null, null, List.of()), info);
        assertFalse(info.refersToOtherFiles());
    }

    @Test
    void formatIsPinnedNotGuessed() throws Exception {
        Path raw = dir.resolve("looks-like.qcow2");
        qemuImg.create(dir.resolve("real.qcow2"), ImageFormat.QCOW2, 1 << 20);
        Files.copy(dir.resolve("real.qcow2"), raw);
        // A qcow2 header read as raw stays raw: the guest would see the header bytes, never the backing chain.
        assertEquals(ImageFormat.RAW, qemuImg.info(raw, ImageFormat.RAW).format());
        Path text = dir.resolve("text.qcow2");
        Files.writeString(text, "not an image");
        QemuImgException e = assertThrows(QemuImgException.class, () -> qemuImg.info(text, ImageFormat.QCOW2));
        assertTrue(e.getMessage().contains("qcow2") && e.exitCode() > 0, e.getMessage());
    }

    @Test
    void convertRoundTripKeepsTheBytes() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(42).nextBytes(data);
        Path raw = dir.resolve("in.raw");
        Files.write(raw, data);
        Path qcow2 = dir.resolve("mid.qcow2");
        Path back = dir.resolve("out.raw");
        qemuImg.convert(raw, ImageFormat.RAW, qcow2, ImageFormat.QCOW2, BackingChain.FOREIGN);
        assertEquals(ImageFormat.QCOW2, qemuImg.info(qcow2, ImageFormat.QCOW2).format());
        qemuImg.convert(qcow2, ImageFormat.QCOW2, back, ImageFormat.RAW, BackingChain.FOREIGN);
        assertArrayEquals(data, Files.readAllBytes(back));
    }

    private static void qemuImg(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Stream.concat(Stream.of(QemuImg.QEMU_IMG.toString()), Stream.of(args)).toList())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("fixture qemu-img failed: " + out);
        }
    }
}

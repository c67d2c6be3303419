package io.jvirt.controller.datavolume.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.qemu.img.ImageFormat;
import io.jvirt.qemu.img.QemuImg;
import io.jvirt.qemu.img.Unprivileged;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * {@link DiskImport} with the real qemu-img: every accepted format and wrapping ends as the same raw bytes, padded to
 * the volume; every unsafe or broken input is refused with its reason and leaves no file in the volume. The tools run
 * as 107 without network, as the controller runs them, on volume directories closed to everyone but root (0700).
 */
class DiskImportIT {
    private static final long CAPACITY = 16L << 20;
    private static final QemuImg QEMU_IMG = new QemuImg(Unprivileged.QEMU); // as the controller (root) runs it
    private static Path work;
    private static Path raw;
    private static byte[] rawBytes;

    @BeforeAll
    static void images() throws Exception {
        work = Files.createTempDirectory("disk-import-it");
        raw = work.resolve("guest.raw");
        rawBytes = new byte[8 << 20];
        Random random = new Random(42);
        for (int block = 0; block < rawBytes.length; block += 1 << 20) {
            if ((block >> 20) % 2 == 1) continue; // every other MiB stays zero: a sparse region
            for (int i = block; i < block + 4096; i++) rawBytes[i] = (byte) random.nextInt();
        }
        Files.write(raw, rawBytes);
        for (ImageFormat f : List.of(ImageFormat.QCOW2, ImageFormat.VMDK, ImageFormat.VDI, ImageFormat.VPC, ImageFormat.VHDX)) {
            qemuImg("convert", "-f", "raw", "-O", f.qemuName(), raw.toString(), work.resolve("guest." + f.qemuName()).toString());
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (Stream<Path> s = Files.walk(work)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("disk.raw", "guest.raw", "none", ImageFormat.RAW),
                Arguments.of("disk.img.gz", "guest.raw", "gz", ImageFormat.RAW),
                Arguments.of("disk.raw.xz", "guest.raw", "xz", ImageFormat.RAW),
                Arguments.of("disk.raw.zst", "guest.raw", "zst", ImageFormat.RAW),
                Arguments.of("disk.raw.bz2", "guest.raw", "bz2 x2", ImageFormat.RAW),
                Arguments.of("disk.raw.xz", "guest.raw", "xz x2", ImageFormat.RAW),
                Arguments.of("disk.qcow2", "guest.qcow2", "none", ImageFormat.QCOW2),
                Arguments.of("disk.qcow2.gz", "guest.qcow2", "gz", ImageFormat.QCOW2),
                Arguments.of("disk.qcow2.xz", "guest.qcow2", "xz", ImageFormat.QCOW2),
                Arguments.of("disk.tar", "guest.qcow2", "tar", ImageFormat.QCOW2),
                Arguments.of("disk.tar.gz", "guest.raw", "tar+gz", ImageFormat.RAW),
                Arguments.of("disk.vmdk", "guest.vmdk", "none", ImageFormat.VMDK),
                Arguments.of("disk.vdi", "guest.vdi", "none", ImageFormat.VDI),
                Arguments.of("disk.vhd", "guest.vpc", "none", ImageFormat.VPC),
                Arguments.of("disk.vhdx", "guest.vhdx", "none", ImageFormat.VHDX),
                Arguments.of(null, "guest.qcow2", "none", ImageFormat.QCOW2));
    }

    @ParameterizedTest(name = "{0} ({2})")
    @MethodSource("accepted")
    void importsToRawFillingTheVolume(String name, String file, String wrapping, ImageFormat format) throws Exception {
        Path volume = Files.createTempDirectory(work, "vol");
        Path image = volume.resolve("disk.img");
        byte[] offered = wrap(Files.readAllBytes(work.resolve(file)), file, wrapping);
        AtomicLong read = new AtomicLong();
        DiskImport.Result r = new DiskImport(QEMU_IMG).importImage(new java.io.ByteArrayInputStream(offered), name, image, CAPACITY,
                DiskImport.ContentType.KUBEVIRT, read::set);
        assertEquals(format, r.format());
        assertEquals(offered.length, read.get(), "every byte of the source counted for progress");
        assertEquals(CAPACITY, Files.size(image), "resized to fill the volume");
        byte[] got = Files.readAllBytes(image);
        assertArrayEquals(rawBytes, java.util.Arrays.copyOf(got, rawBytes.length));
        assertTrue(java.util.Arrays.equals(new byte[(int) (CAPACITY - rawBytes.length)], java.util.Arrays.copyOfRange(got, rawBytes.length, got.length)));
        assertEquals(List.of("disk.img"), names(volume), "no scratch or part file stays");
    }

    /**
     * While xz decodes an import that a real HTTP server sends slowly (the second half held back until the test has
     * looked), the xz process is uid/gid 107 with no-new-privs, no capability and a network namespace of its own; the
     * import then completes with the right bytes.
     */
    @org.junit.jupiter.api.Test
    void xzRunsUnprivilegedWhileTheImportStreams() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream o = new XZOutputStream(b, new LZMA2Options(1))) { o.write(rawBytes); }
        byte[] xz = b.toByteArray();
        java.util.concurrent.CountDownLatch looked = new java.util.concurrent.CountDownLatch(1);
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/disk.raw.xz", ex -> {
            ex.sendResponseHeaders(200, xz.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(xz, 0, xz.length / 2);
                out.flush();
                looked.await(60, java.util.concurrent.TimeUnit.SECONDS);
                out.write(xz, xz.length / 2, xz.length - xz.length / 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        try {
            Path volume = Files.createTempDirectory(work, "vol");
            Path image = volume.resolve("disk.img");
            var url = java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/disk.raw.xz");
            var importing = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (InputStream in = url.toURL().openStream()) {
                    return new DiskImport(QEMU_IMG).importImage(in, url.getPath(), image, CAPACITY, DiskImport.ContentType.KUBEVIRT, n -> {});
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            ProcessHandle xzProcess = null;
            for (long deadline = System.nanoTime() + 30_000_000_000L; xzProcess == null && System.nanoTime() < deadline; ) {
                xzProcess = ProcessHandle.current().descendants()
                        .filter(h -> h.info().command().map(c -> c.equals("/usr/bin/xz")).orElse(false)).findFirst().orElse(null);
                if (xzProcess == null) Thread.onSpinWait();
            }
            assertTrue(xzProcess != null, "xz runs while the import streams");
            Path proc = Path.of("/proc", Long.toString(xzProcess.pid()));
            List<String> status = Files.readAllLines(proc.resolve("status"));
            assertTrue(status.contains("Uid:\t107\t107\t107\t107"), status.toString());
            assertTrue(status.contains("Gid:\t107\t107\t107\t107"), status.toString());
            assertTrue(status.contains("NoNewPrivs:\t1"), status.toString());
            assertTrue(status.contains("CapEff:\t0000000000000000"), status.toString());
            assertTrue(status.contains("CapBnd:\t0000000000000000"), status.toString());
            assertTrue(!Files.readSymbolicLink(proc.resolve("ns/net")).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net"))),
                    "a network namespace of its own");
            looked.countDown();
            DiskImport.Result r = importing.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(ImageFormat.RAW, r.format());
            assertArrayEquals(rawBytes, java.util.Arrays.copyOf(Files.readAllBytes(image), rawBytes.length));
        } finally {
            looked.countDown();
            server.stop(0);
        }
    }

    /** A bad input: how it is made, and a word its refusal must contain. */
    record Bad(String name, String description, Maker maker, String reason) {
        @Override
        public String toString() {
            return description;
        }
    }

    @FunctionalInterface
    interface Maker {
        byte[] make() throws Exception;
    }

    static Stream<Bad> refused() {
        return Stream.of(
                new Bad("disk.qcow2", "qcow2 with a backing file", () -> {
                    Path p = work.resolve("backed.qcow2");
                    Files.deleteIfExists(p);
                    qemuImg("create", "-f", "qcow2", "-b", "/etc/hostname", "-F", "raw", p.toString(), "1M");
                    return Files.readAllBytes(p);
                }, "backing file '/etc/hostname'"),
                new Bad("disk.qcow2", "qcow2 with an external data file", () -> {
                    Path p = work.resolve("datafile.qcow2");
                    Files.deleteIfExists(p);
                    Files.deleteIfExists(work.resolve("datafile.raw"));
                    qemuImg("create", "-f", "qcow2", "-o", "data_file=" + work.resolve("datafile.raw"), p.toString(), "1M");
                    return Files.readAllBytes(p);
                }, "external data file"),
                new Bad("disk.vmdk", "vmdk descriptor naming a host file", () -> ("# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n"
                        + "createType=\"monolithicFlat\"\nRW 2048 FLAT \"/etc/passwd\" 0\n").getBytes(StandardCharsets.US_ASCII), "extent"),
                new Bad("disk.raw", "qcow2 content named .raw", () -> Files.readAllBytes(work.resolve("guest.qcow2")), "disguises its format"),
                new Bad("disk.qcow2", "raw content named .qcow2", () -> Files.readAllBytes(raw), "disguises its format"),
                new Bad("disk.raw.gz", "decompression bomb (1 GiB of zeros in a small gzip)", () -> {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    try (OutputStream gz = new GZIPOutputStream(b)) {
                        byte[] zeros = new byte[1 << 20];
                        for (int i = 0; i < 1024; i++) gz.write(zeros);
                    }
                    return b.toByteArray();
                }, "larger than the volume"),
                new Bad("disk.raw", "raw image larger than the volume", () -> new byte[(int) CAPACITY + 4096], "larger than the volume"),
                new Bad("disk.qcow2", "qcow2 whose virtual size exceeds the volume", () -> {
                    Path p = work.resolve("big.qcow2");
                    Files.deleteIfExists(p);
                    qemuImg("create", "-f", "qcow2", p.toString(), Long.toString(CAPACITY * 4));
                    return Files.readAllBytes(p);
                }, "virtual size"),
                new Bad("disk.qcow2", "truncated qcow2", () -> {
                    byte[] all = Files.readAllBytes(work.resolve("guest.qcow2"));
                    return java.util.Arrays.copyOf(all, all.length / 2);
                }, "corrupt or truncated"),
                new Bad("disk.qcow2.gz", "truncated gzip", () -> {
                    byte[] gz = wrap(Files.readAllBytes(work.resolve("guest.qcow2")), "guest.qcow2", "gz");
                    return java.util.Arrays.copyOf(gz, gz.length / 2);
                }, null),
                new Bad("disk.raw.xz", "truncated xz", () -> {
                    byte[] xz = wrap(rawBytes, "guest.raw", "xz");
                    return java.util.Arrays.copyOf(xz, xz.length / 2);
                }, "the xz data cannot be decoded"),
                new Bad("disk.raw.xz", "xz with a corrupt block", () -> {
                    byte[] xz = wrap(rawBytes, "guest.raw", "xz");
                    for (int i = xz.length / 3; i < xz.length / 3 + 64; i++) xz[i] ^= 0x5a;
                    return xz;
                }, "the xz data cannot be decoded"),
                new Bad("disk.raw.xz", "xz decompression bomb (1 GiB of zeros)", () -> {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    try (OutputStream xz = new XZOutputStream(b, new LZMA2Options(1))) {
                        byte[] zeros = new byte[1 << 20];
                        for (int i = 0; i < 1024; i++) xz.write(zeros);
                    }
                    return b.toByteArray();
                }, "larger than the volume"),
                new Bad("disk.img", "LUKS-encrypted content", () -> {
                    byte[] b = new byte[4096];
                    System.arraycopy(new byte[] {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe}, 0, b, 0, 6);
                    return b;
                }, "LUKS"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesAndLeavesNothing(Bad bad) throws Exception {
        Path volume = Files.createTempDirectory(work, "vol");
        byte[] offered = bad.maker().make();
        IOException e = assertThrows(IOException.class, () -> new DiskImport(QEMU_IMG).importImage(new java.io.ByteArrayInputStream(offered),
                bad.name(), volume.resolve("disk.img"), CAPACITY, DiskImport.ContentType.KUBEVIRT, n -> { }));
        if (bad.reason() != null) {
            assertTrue(e instanceof ImageRefusedException, "refused, not a transient failure: " + e);
            assertTrue(e.getMessage().contains(bad.reason()), e.getMessage());
        }
        assertEquals(List.of(), names(volume), "nothing left in the volume");
    }

    @org.junit.jupiter.api.Test
    void archiveUnpacksIntoTheVolumeAndRefusesEscapes() throws Exception {
        Path volume = Files.createTempDirectory(work, "vol");
        byte[] tar = tar(List.of(new Entry("data/a.txt", "hello".getBytes(StandardCharsets.UTF_8))));
        new DiskImport(QEMU_IMG).importImage(new java.io.ByteArrayInputStream(tar), "files.tar", volume.resolve("disk.img"), CAPACITY,
                DiskImport.ContentType.ARCHIVE, n -> { });
        assertEquals("hello", Files.readString(volume.resolve("data/a.txt")));

        Path other = Files.createTempDirectory(work, "vol");
        byte[] escape = tar(List.of(new Entry("ok.txt", new byte[1]), new Entry("../escaped.txt", new byte[1])));
        ImageRefusedException e = assertThrows(ImageRefusedException.class, () -> new DiskImport(QEMU_IMG).importImage(
                new java.io.ByteArrayInputStream(escape), "files.tar", other.resolve("disk.img"), CAPACITY, DiskImport.ContentType.ARCHIVE, n -> { }));
        assertTrue(e.getMessage().contains("outside the volume"), e.getMessage());
        assertEquals(List.of(), names(other));
        assertTrue(Files.notExists(work.resolve("escaped.txt")));
    }

    record Entry(String name, byte[] data) {}

    private static byte[] tar(List<Entry> entries) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(b)) {
            for (Entry e : entries) {
                TarArchiveEntry te = new TarArchiveEntry(e.name());
                te.setSize(e.data().length);
                t.putArchiveEntry(te);
                t.write(e.data());
                t.closeArchiveEntry();
            }
        }
        return b.toByteArray();
    }

    private static byte[] wrap(byte[] data, String file, String wrapping) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        switch (wrapping) {
            case "none" -> b.write(data);
            case "gz" -> { try (OutputStream o = new GZIPOutputStream(b)) { o.write(data); } }
            case "xz" -> { try (OutputStream o = new XZOutputStream(b, new LZMA2Options(1))) { o.write(data); } }
            case "zst" -> { try (OutputStream o = new ZstdCompressorOutputStream(b)) { o.write(data); } }
            case "bz2 x2", "xz x2" -> { // two streams one after the other, as pbzip2 and pixz write them
                for (int half = 0; half < 2; half++) {
                    try (OutputStream o = wrapping.startsWith("bz2") ? new BZip2CompressorOutputStream(new NonClosing(b))
                            : new XZOutputStream(new NonClosing(b), new LZMA2Options(1))) {
                        o.write(data, half * data.length / 2, data.length / 2);
                    }
                }
            }
            case "tar" -> b.write(tar(List.of(new Entry(file, data))));
            case "tar+gz" -> { try (OutputStream o = new GZIPOutputStream(b)) { o.write(tar(List.of(new Entry(file, data)))); } }
            default -> throw new IllegalArgumentException(wrapping);
        }
        return b.toByteArray();
    }

    /** Keeps the buffer open when a compressor closes its stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() {
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void qemuImg(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("qemu-img"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (p.waitFor() != 0) throw new IOException(argv + ": " + out);
    }
}

package io.jvirt.handler.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.qemu.img.BackingChain;
import io.jvirt.qemu.img.ImageFormat;
import io.jvirt.qemu.img.ImageInfo;
import io.jvirt.qemu.img.QemuImg;
import io.jvirt.qemu.img.UnsafeImageException;
import io.jvirt.registry.Credentials;
import io.jvirt.registry.Digest;
import io.jvirt.registry.DockerConfig;
import io.jvirt.registry.ImageException;
import io.jvirt.registry.ImageReference;
import io.jvirt.registry.LoopbackRegistry;
import io.jvirt.registry.Manifest;
import io.jvirt.registry.RegistryClient;
import io.jvirt.registry.RegistryConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node's image cache with the real qemu-img and Debian's docker-registry on loopback (images pushed by skopeo):
 * the demo names from the built-in layout, a pushed image pulled once and shared, writes that stay in the overlay,
 * pull policies, htpasswd credentials from a docker config, a corrupt blob, the kernel-boot image, bad disks.
 */
class ContainerDisksIT {
    private static final Path DEMO = Path.of(System.getProperty("jvirt.build.dir", "build")).resolve("images/demo");
    private static final String DEMO_NAME = "registry:5000/kubevirt/cirros-container-disk-demo:devel";
    private Path dir;
    private final QemuImg qemuImg = new QemuImg(io.jvirt.qemu.img.Unprivileged.QEMU); // as the node agent (root) runs it

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.isDirectory(DEMO.resolve("kernelboot")), "demo images not built (images/demo/build.sh)");
        dir = Files.createTempDirectory("jvirt-containerdisks");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")); // searchable, as the node agent makes its data dir
    }

    @AfterEach
    void tearDown() throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private ContainerDisks disks(Map<String, Path> layouts, RegistryConfig registries) {
        return new ContainerDisks(dir.resolve("cache"), qemuImg, ImageMirrors.of(DEMO.resolve("containerdisk"), layouts), new RegistryClient(registries));
    }

    private static ContainerDisks.Pull pull(String image, String policy) {
        return new ContainerDisks.Pull(image, policy, null);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void theDemoNamesAreAnsweredByTheBuiltInLayoutExtractedOnce() throws Exception {
        ContainerDisks disks = disks(Map.of(), RegistryConfig.DEFAULT);
        Path a = disks.overlay(pull(DEMO_NAME, null), null, dir.resolve("a.qcow2"));
        ContainerDisks.Base base = disks.base(pull("quay.io/kubevirt/cirros-container-disk-demo", null), null);
        long extractedAt = Files.getLastModifiedTime(base.path()).toMillis();
        Path b = disks.overlay(pull("kubevirt/cirros-container-disk-demo", "Always"), null, dir.resolve("b.qcow2"));
        assertEquals(extractedAt, Files.getLastModifiedTime(disks.base(pull(DEMO_NAME, null), null).path()).toMillis(), "extracted once");
        assertEquals(ImageFormat.QCOW2, base.format());
        assertEquals(sha256(DEMO.resolve("demo.qcow2")), sha256(base.path()));
        for (Path overlay : new Path[] {a, b}) {
            ImageInfo info = qemuImg.inspect(overlay, ImageFormat.QCOW2, BackingChain.JVIRT_OWNED);
            assertEquals(base.path().toString(), info.backingFile());
        }
    }

    @Test
    void aPushedImageIsPulledOnceSharedAndGuestWritesStayInTheOverlay() throws Exception {
        try (LoopbackRegistry registry = LoopbackRegistry.start(null)) {
            registry.push(DEMO.resolve("containerdisk"), "jvirt/pushed-disk:v1", "v2s2");
            ContainerDisks disks = disks(Map.of(), new RegistryConfig(Map.of("registry:5000", registry.host()), Set.of()));
            String image = "registry:5000/jvirt/pushed-disk:v1";
            Path a = disks.overlay(pull(image, null), null, dir.resolve("a.qcow2"));
            ContainerDisks.Base base = disks.base(pull(image, null), null);
            long extractedAt = Files.getLastModifiedTime(base.path()).toMillis();
            Path b = disks.overlay(pull(image, "Always"), null, dir.resolve("b.qcow2"));
            assertEquals(extractedAt, Files.getLastModifiedTime(disks.base(pull(image, "Always"), null).path()).toMillis(),
                    "Always asks for the manifest again but fetches no blob it has");
            assertEquals(sha256(DEMO.resolve("demo.qcow2")), sha256(base.path()), "the cache holds the pushed disk byte for byte");
            assertEquals("r--r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(base.path())));
            for (Path overlay : new Path[] {a, b}) {
                assertEquals(base.path().toString(), qemuImg.inspect(overlay, ImageFormat.QCOW2, BackingChain.JVIRT_OWNED).backingFile());
            }
            String before = sha256(base.path());
            Process write = new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 1M", a.toString()).redirectErrorStream(true).start();
            String out = new String(write.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, write.waitFor(), out);
            assertEquals(before, sha256(base.path()), "a write through the overlay leaves the cached base as it was");
            assertTrue(qemuImg.info(a, ImageFormat.QCOW2).actualSize() > qemuImg.info(b, ImageFormat.QCOW2).actualSize(), "the write landed in a's overlay");

            registry.close(); // the registry is gone: the cache still serves IfNotPresent and Never, not Always
            assertEquals(base, disks.base(pull(image, "IfNotPresent"), null));
            assertEquals(base, disks.base(pull(image, "Never"), null));
            ImageException always = assertThrows(ImageException.class, () -> disks.base(pull(image, "Always"), null));
            assertEquals(ImageException.Kind.UNAVAILABLE, always.kind(), always.getMessage());
            ImageException never = assertThrows(ImageException.class, () -> disks.base(pull("registry:5000/jvirt/other:v1", "Never"), null));
            assertEquals("Container image \"registry:5000/jvirt/other:v1\" is not present with pull policy of Never", never.getMessage());
        }
    }

    @Test
    void aPrivateRegistryNeedsTheCredentialsOfTheDockerConfig() throws Exception {
        Credentials bob = new Credentials("bob", "builder-2");
        try (LoopbackRegistry registry = LoopbackRegistry.start(bob)) {
            String image = registry.push(DEMO.resolve("containerdisk"), "private/disk:1", "oci");
            ContainerDisks disks = disks(Map.of(), RegistryConfig.DEFAULT);
            ImageException anonymous = assertThrows(ImageException.class, () -> disks.base(pull(image, null), null));
            assertEquals(ImageException.Kind.UNAUTHORIZED, anonymous.kind());
            String json = "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\""
                    + Base64.getEncoder().encodeToString("bob:builder-2".getBytes(StandardCharsets.UTF_8)) + "\"}}}";
            ContainerDisks.Base base = disks.base(new ContainerDisks.Pull(image, null, DockerConfig.parse(json.getBytes(StandardCharsets.UTF_8))), null);
            assertEquals(sha256(DEMO.resolve("demo.qcow2")), sha256(base.path()));
        }
    }

    @Test
    void aCorruptBlobIsRefusedWithItsDigestAndNothingStaysInTheCache() throws Exception {
        try (LoopbackRegistry registry = LoopbackRegistry.start(null)) {
            String image = registry.push(DEMO.resolve("containerdisk"), "jvirt/corrupt:1", "oci");
            Manifest.Image manifest = new RegistryClient(RegistryConfig.DEFAULT).open(ImageReference.parse(image), null).resolve();
            Digest layer = manifest.layers().get(0).digest();
            byte[] bytes = Files.readAllBytes(registry.blobFile(layer));
            bytes[bytes.length / 2] ^= 0x10;
            Files.write(registry.blobFile(layer), bytes);
            ContainerDisks disks = disks(Map.of(), RegistryConfig.DEFAULT);
            ImageException e = assertThrows(ImageException.class, () -> disks.base(pull(image, null), null));
            assertEquals(ImageException.Kind.DIGEST_MISMATCH, e.kind());
            assertTrue(e.getMessage().contains("blob " + layer + " from registry " + registry.host() + " does not match its digest"), e.getMessage());
            try (Stream<Path> left = Files.list(dir.resolve("cache"))) {
                assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(), "no image directory, no staging, no ref");
            }
        }
    }

    @Test
    void theKernelBootImageGivesItsKernelAndInitrd() throws Exception {
        try (LoopbackRegistry registry = LoopbackRegistry.start(null)) {
            registry.push(DEMO.resolve("kernelboot"), "jvirt/demo-kernel:latest", "oci");
            ContainerDisks disks = disks(Map.of(), new RegistryConfig(Map.of("registry:5000", registry.host()), Set.of()));
            ContainerDisks.Kernel k = disks.kernel(pull("registry:5000/jvirt/demo-kernel:latest", null), "/boot/vmlinuz", "/boot/initrd");
            assertEquals(sha256(DEMO.resolve("demo-vmlinuz")), sha256(k.kernel()));
            assertEquals(sha256(DEMO.resolve("demo-initrd")), sha256(k.initrd()));
            ContainerDisks.Kernel kernelOnly = disks.kernel(pull("registry:5000/jvirt/demo-kernel:latest", null), "/boot/vmlinuz", null);
            assertNull(kernelOnly.initrd());
            assertNotEquals(k.kernel(), kernelOnly.kernel(), "each path pair is a product of its own");
            ImageException missing = assertThrows(ImageException.class,
                    () -> disks.kernel(pull("registry:5000/jvirt/demo-kernel:latest", null), "/boot/vmlinuz-6.1", "/boot/initrd"));
            assertEquals(ImageException.Kind.NO_SUCH_FILE, missing.kind());
            assertTrue(missing.getMessage().contains("has no file at kernelPath /boot/vmlinuz-6.1"), missing.getMessage());
        }
    }

    @Test
    void refusesImagesWithoutADiskOrWithAForeignBackingFileAndFindsTheDiskInAnyLayer() throws Exception {
        Path raw = dir.resolve("plain.raw");
        QemuImg fixtures = new QemuImg(); // the test's own files, made as root
        fixtures.create(raw, ImageFormat.RAW, 1 << 20);
        Path evil = dir.resolve("evil.qcow2");
        fixtures.create(dir.resolve("secret.qcow2"), ImageFormat.QCOW2, 1 << 20);
        fixtures.createOverlay(evil, dir.resolve("secret.qcow2"), ImageFormat.QCOW2);
        ContainerDisks disks = disks(Map.of(
                "test/nodisk", layout("nodisk", List.of(Map.of("other/x.img", raw))),
                "test/evil", layout("evil", List.of(Map.of("disk/evil.qcow2", evil))),
                "test/second-layer", layout("second", List.of(Map.of("etc/hostname", raw), Map.of("disk/b.img", raw, "disk/a.img", raw))),
                "test/with-path", layout("path", List.of(Map.of("images/custom.qcow2", evil, "disk/plain.img", raw)))), RegistryConfig.DEFAULT);
        ImageException noDisk = assertThrows(ImageException.class, () -> disks.base(pull("test/nodisk", null), null));
        assertTrue(noDisk.getMessage().contains("has no file under /disk/"), noDisk.getMessage());
        assertThrows(UnsafeImageException.class, () -> disks.base(pull("test/evil", null), null));
        ContainerDisks.Base second = disks.base(pull("test/second-layer", null), null);
        assertEquals(ImageFormat.RAW, second.format(), "raw: the file does not start with qcow2's magic");
        assertEquals(ImageFormat.RAW, disks.base(pull("test/with-path", null), null).format(), "without path: the disk/ file");
        assertThrows(UnsafeImageException.class, () -> disks.base(pull("test/with-path", null), "/images/custom.qcow2"), "path names the evil one");
    }

    /** An OCI layout with one gzip layer per map, each holding the given files under the given names. */
    private Path layout(String name, List<Map<String, Path>> layers) throws Exception {
        Path layout = dir.resolve(name);
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        StringBuilder layerList = new StringBuilder();
        for (Map<String, Path> files : layers) {
            Path tmp = dir.resolve(name + layerList.length() + ".tgz");
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp)); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
                for (Map.Entry<String, Path> f : new java.util.TreeMap<>(files).entrySet()) {
                    TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                    e.setSize(Files.size(f.getValue()));
                    tar.putArchiveEntry(e);
                    Files.copy(f.getValue(), tar);
                    tar.closeArchiveEntry();
                }
            }
            byte[] blob = Files.readAllBytes(tmp);
            layerList.append(layerList.length() == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:")
                    .append(store(blobs, blob)).append("\",\"size\":").append(blob.length).append("}");
        }
        byte[] manifest = ("{\"schemaVersion\":2,\"layers\":[" + layerList + "]}").getBytes(StandardCharsets.UTF_8);
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:" + store(blobs, manifest)
                + "\",\"size\":" + manifest.length + "}]}");
        return layout;
    }

    private static String store(Path blobs, byte[] content) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Files.write(blobs.resolve(hex), content);
        return hex;
    }
}

package io.jvirt.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.registry.LoopbackRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code bench/run containerdisk}: create → Running of a VMI whose containerDisk is pulled from Debian's
 * docker-registry on loopback (the demo containerDisk pushed there by skopeo), cold (the node's image cache
 * emptied first: manifest, blob, digest check, gunzip, untar, qemu-img check) against warm (the same image already
 * cached: only the per-VMI overlay), alternating in the same run. {@code -Djvirt.bench.rounds=N} (default 5);
 * {@code -Djvirt.bench.containerDiskPadMiB=N} (default 0) pushes instead an image whose disk is the demo disk with N MiB
 * of random bytes after its end (the guest never reads them), so the pull moves a disk of a realistic size.
 */
final class ContainerDiskBench implements Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VMIS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances";
    private static final String WARM = "warm: image cached -> Running";

    @Override
    public String name() {
        return "containerdisk";
    }

    @Override
    public String description() {
        return "VMI create -> Running with its containerDisk pulled from a loopback registry: cold cache vs warm cache";
    }

    @Override
    public List<Figure> run() throws Exception {
        Path root = Path.of(System.getProperty("jvirt.build.dir", "build")).toAbsolutePath().getParent();
        int rounds = Integer.getInteger("jvirt.bench.rounds", 5);
        List<Double> cold = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        try (LoopbackRegistry registry = LoopbackRegistry.start(null)) {
            int pad = Integer.getInteger("jvirt.bench.containerDiskPadMiB", 0);
            Path work = Files.createTempDirectory("jvirt-containerdisk-bench");
            String image;
            try {
                Path layout = pad == 0 ? root.resolve("build/images/demo/containerdisk") : paddedLayout(root.resolve("build/images/demo/demo.qcow2"), pad, work);
                image = registry.push(layout, "bench/demo-disk:v1", "oci");
            } finally {
                TempTree.delete(work);
            }
            try (JvirtInstance jvirt = JvirtInstance.up(root)) {
                JvirtInstance.Http http = jvirt.http();
                createToRunning(http, "prime", image); // the first VMI of an instance pays for more than the pull
                for (int i = 0; i < rounds; i++) {
                    emptyCache(jvirt.home().resolve("node/images"));
                    cold.add(createToRunning(http, "cold-" + i, image));
                    warm.add(createToRunning(http, "warm-" + i, image));
                }
            }
        }
        return List.of(Figure.of(WARM, "ms", warm), Figure.of("cold: image pulled -> Running", "ms", cold).against(WARM));
    }

    /** Creates a VMI naming {@code image}, waits for Running, deletes it and waits until it is gone; returns create → Running in ms. */
    private static double createToRunning(JvirtInstance.Http http, String name, String image) throws Exception {
        String vmi = "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"" + name + "\"},"
                + "\"spec\":{\"terminationGracePeriodSeconds\":0,\"domain\":{\"devices\":{\"disks\":[{\"name\":\"root\",\"disk\":{\"bus\":\"virtio\"}}]},"
                + "\"memory\":{\"guest\":\"128Mi\"}},\"volumes\":[{\"name\":\"root\",\"containerDisk\":{\"image\":\"" + image + "\"}}]}}";
        Instant start = Instant.now();
        http.send("POST", VMIS, vmi);
        Instant deadline = start.plus(Duration.ofMinutes(3));
        double ms = -1;
        while (Instant.now().isBefore(deadline)) {
            JsonNode v = JSON.readTree(http.send("GET", VMIS + "/" + name, null));
            String phase = v.path("status").path("phase").asText();
            if (phase.equals("Running")) {
                ms = Duration.between(start, Instant.now()).toNanos() / 1e6;
                break;
            }
            if (phase.equals("Failed")) {
                throw new IllegalStateException("VMI " + name + " failed: " + v.path("status"));
            }
            Thread.sleep(20);
        }
        if (ms < 0) {
            throw new IllegalStateException("VMI " + name + " not Running within 3 minutes");
        }
        http.send("DELETE", VMIS + "/" + name, null);
        while (Instant.now().isBefore(deadline.plus(Duration.ofMinutes(1)))) {
            try {
                http.send("GET", VMIS + "/" + name, null);
                Thread.sleep(100);
            } catch (IllegalStateException gone) {
                break;
            }
        }
        return ms;
    }

    /**
     * An OCI layout in {@code work} of one gzip layer holding {@code disk/disk.qcow2}: the demo disk grown by {@code padMiB}
     * MiB of seeded random bytes after its end.
     */
    private static Path paddedLayout(Path demo, int padMiB, Path work) throws Exception {
        Path raw = work.resolve("disk.raw");
        Shell.run("qemu-img convert -f qcow2 -O raw " + demo + " " + raw);
        long end = Files.size(raw);
        byte[] block = new byte[1 << 20];
        java.util.Random random = new java.util.Random(7);
        try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(raw, java.nio.file.StandardOpenOption.WRITE)) {
            for (int i = 0; i < padMiB; i++) {
                random.nextBytes(block);
                f.write(java.nio.ByteBuffer.wrap(block), end + ((long) i << 20));
            }
        }
        Files.createDirectories(work.resolve("root/disk"));
        Shell.run("qemu-img convert -f raw -O qcow2 " + raw + " " + work.resolve("root/disk/disk.qcow2"));
        Path blobs = Files.createDirectories(work.resolve("layout/blobs/sha256"));
        Path layer = work.resolve("layer.tar.gz");
        Shell.run("tar -C " + work.resolve("root") + " --owner=107 --group=107 -cf - disk | gzip -1 > " + layer);
        String layerDigest = store(blobs, Files.readAllBytes(layer));
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
        String configDigest = store(blobs, config.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length() + "},\"layers\":[{"
                + "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layerDigest + "\",\"size\":" + Files.size(layer) + "}]}";
        String manifestDigest = store(blobs, manifest.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path layout = work.resolve("layout");
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"digest\":\"" + manifestDigest + "\",\"size\":" + manifest.length() + "}]}");
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return layout;
    }

    /** Writes {@code content} as a blob; returns its {@code sha256:} digest. */
    private static String store(Path blobs, byte[] content) throws Exception {
        String hex = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
        Files.write(blobs.resolve(hex), content);
        return "sha256:" + hex;
    }

    /** Removes every cached image (no VMI runs between rounds, so none uses them). */
    private static void emptyCache(Path images) throws Exception {
        if (!Files.isDirectory(images)) {
            return;
        }
        try (Stream<Path> entries = Files.list(images)) {
            for (Path p : entries.toList()) {
                try (Stream<Path> tree = Files.walk(p)) {
                    for (Path f : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
    }
}

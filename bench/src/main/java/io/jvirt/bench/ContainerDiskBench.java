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
 * cached: only the per-VMI overlay), alternating in the same run. {@code -Djvirt.bench.rounds=N} (default 5).
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
            String image = registry.push(root.resolve("build/images/demo/containerdisk"), "bench/demo-disk:v1", "oci");
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

package io.jvirt.controller;

import static io.jvirt.controller.EmbeddedCluster.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jvirt.api.storage.LocalVolumes;
import io.jvirt.controller.datavolume.DataVolumeController;
import io.jvirt.controller.vm.CrashLoopBackoff;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local-path provisioner and the DataVolume controller against the real embedded API server, real qemu-img and a
 * real HTTP server on loopback (the JDK's): binding, pvc-protection, volumes freed, HTTP imports (qcow2 and gz, basic
 * auth, transient 503s retried with restartCount), blank and clone, a refused image failing its DataVolume with no file
 * left, and a VM's dataVolumeTemplates creating, gating and (on delete) removing its DataVolume.
 */
class StorageIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final ObjectMapper JSON = new ObjectMapper();
    static EmbeddedCluster cluster;
    static io.jvirt.registry.LoopbackRegistry registry;
    static Path volumes;
    static HttpServer http;
    static Path work;
    static byte[] guest;
    static final Map<String, byte[]> served = new ConcurrentHashMap<>();
    static final AtomicInteger unavailable = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("storage-it");
        volumes = work.resolve("volumes");
        guest = new byte[4 << 20];
        new Random(7).nextBytes(guest);
        Path raw = work.resolve("guest.raw");
        Files.write(raw, guest);
        run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), work.resolve("guest.qcow2").toString());
        run("qemu-img", "create", "-f", "qcow2", "-b", "/etc/hostname", "-F", "raw", work.resolve("backed.qcow2").toString(), "1M");
        byte[] qcow2 = Files.readAllBytes(work.resolve("guest.qcow2"));
        served.put("/guest.qcow2", qcow2);
        served.put("/guest.qcow2.gz", gzip(qcow2));
        served.put("/backed.qcow2", Files.readAllBytes(work.resolve("backed.qcow2")));
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", StorageIT::serve);
        http.start();
        registry = io.jvirt.registry.LoopbackRegistry.start(null);
        // KubeVirt's examples name registry:5000; the node's setting sends such names to the loopback registry
        cluster = EmbeddedCluster.start(CrashLoopBackoff.DEFAULT, volumes,
                new io.jvirt.registry.RegistryConfig(Map.of("registry:5000", registry.host()), java.util.Set.of()));
        cluster.addNode("node-1", "4", "4Gi", Map.of("kubernetes.io/hostname", "node-1"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
        if (registry != null) registry.close();
        if (http != null) http.stop(0);
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** {@code /private/...} needs basic auth alice:secret; {@code /flaky/...} answers 503 while {@link #unavailable} counts down. */
    private static void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.startsWith("/private/")) {
            String expected = "Basic " + Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.sendResponseHeaders(401, -1);
                ex.close();
                return;
            }
            path = path.substring("/private".length());
        }
        if (path.startsWith("/flaky/")) {
            if (unavailable.getAndDecrement() > 0) {
                ex.sendResponseHeaders(503, -1);
                ex.close();
                return;
            }
            path = path.substring("/flaky".length());
        }
        byte[] body = served.get(path);
        if (body == null) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void defaultClassBindsAClaimToAVolumeUnderTheRoot() throws Exception {
        var sc = cluster.client.storage().v1().storageClasses().withName(LocalVolumes.STORAGE_CLASS).get();
        assertEquals("true", sc.getMetadata().getAnnotations().get(LocalVolumes.DEFAULT_CLASS));
        assertEquals(LocalVolumes.PROVISIONER, sc.getProvisioner());

        PersistentVolumeClaim pvc = create(claim("plain", "64Mi", null, "Filesystem", "ReadWriteOnce", "ReadOnlyMany"));
        PersistentVolumeClaim bound = awaitClaim("plain", "Bound");
        String pv = LocalVolumes.volumeName(pvc.getMetadata().getUid());
        assertEquals(pv, bound.getSpec().getVolumeName());
        assertEquals(LocalVolumes.STORAGE_CLASS, bound.getSpec().getStorageClassName());
        assertEquals(List.of("ReadWriteOnce", "ReadOnlyMany"), bound.getStatus().getAccessModes());
        assertEquals("64Mi", bound.getStatus().getCapacity().get("storage").toString());
        assertTrue(bound.getMetadata().getFinalizers().contains(LocalVolumes.PVC_PROTECTION));
        PersistentVolume volume = cluster.client.persistentVolumes().withName(pv).get();
        assertEquals("Bound", volume.getStatus().getPhase());
        assertEquals("Filesystem", volume.getSpec().getVolumeMode());
        assertEquals("Delete", volume.getSpec().getPersistentVolumeReclaimPolicy());
        assertEquals(volumes.resolve(pv).toString(), volume.getSpec().getHostPath().getPath());
        assertTrue(Files.isDirectory(volumes.resolve(pv)));

        cluster.client.persistentVolumeClaims().inNamespace("default").withName("plain").delete();
        await(WAIT, "the volume and its files freed", () -> cluster.client.persistentVolumes().withName(pv).get() == null
                && Files.notExists(volumes.resolve(pv)), done -> done);
    }

    @Test
    void blockClaimGetsASparseImageOfItsSize() throws Exception {
        PersistentVolumeClaim pvc = create(claim("blk", "32Mi", null, "Block", "ReadWriteOnce"));
        awaitClaim("blk", "Bound");
        Path image = volumes.resolve(LocalVolumes.volumeName(pvc.getMetadata().getUid())).resolve(LocalVolumes.BLOCK_IMAGE);
        assertEquals(32L << 20, Files.size(image));
        assertEquals("Block", cluster.client.persistentVolumes().withName(LocalVolumes.volumeName(pvc.getMetadata().getUid())).get().getSpec().getVolumeMode());
        // as the node attaches it for QEMU; freeing the volume detaches it
        Process attach = new ProcessBuilder("losetup", "--find", "--show", image.toString()).redirectErrorStream(true).start();
        String device = new String(attach.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, attach.waitFor(), device);
        cluster.client.persistentVolumeClaims().inNamespace("default").withName("blk").delete();
        await(WAIT, "the volume freed and " + device + " detached", () -> Files.notExists(image.getParent())
                && !Files.exists(Path.of("/sys/block", Path.of(device).getFileName().toString(), "loop/backing_file")), done -> done);
    }

    @Test
    void waitForFirstConsumerBindsOnceANodeIsSelected() throws Exception {
        cluster.client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("local-wffc").endMetadata()
                .withProvisioner(LocalVolumes.PROVISIONER).withReclaimPolicy("Delete").withVolumeBindingMode("WaitForFirstConsumer").build()).create();
        create(claim("late", "16Mi", "local-wffc", "Filesystem", "ReadWriteOnce"));
        // a barrier instead of a sleep: a later claim of the Immediate class binds, and the WFFC one is still Pending
        create(claim("barrier", "16Mi", null, "Filesystem", "ReadWriteOnce"));
        awaitClaim("barrier", "Bound");
        assertEquals("Pending", cluster.client.persistentVolumeClaims().inNamespace("default").withName("late").get().getStatus().getPhase());
        cluster.client.persistentVolumeClaims().inNamespace("default").withName("late")
                .edit(c -> { c.getMetadata().getAnnotations().put(LocalVolumes.SELECTED_NODE, "node-1"); return c; });
        awaitClaim("late", "Bound");
    }

    @Test
    void theSchedulerPicksANodeForAWaitForFirstConsumerClaimAndBindsThePodOnceItIsBound() throws Exception {
        if (cluster.client.storage().v1().storageClasses().withName("local-wffc-2").get() == null) {
            cluster.client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("local-wffc-2").endMetadata()
                    .withProvisioner(LocalVolumes.PROVISIONER).withReclaimPolicy("Delete").withVolumeBindingMode("WaitForFirstConsumer").build()).create();
        }
        create(claim("consumed", "16Mi", "local-wffc-2", "Filesystem", "ReadWriteOnce"));
        cluster.client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("consumer").withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("consumed").endPersistentVolumeClaim().endVolume()
                .endSpec().build()).create();
        PersistentVolumeClaim bound = awaitClaim("consumed", "Bound");
        assertEquals("node-1", bound.getMetadata().getAnnotations().get(LocalVolumes.SELECTED_NODE));
        Pod pod = await(WAIT, "the pod bound after its claim", () -> cluster.client.pods().inNamespace("default").withName("consumer").get(),
                p -> p.getSpec().getNodeName() != null);
        assertEquals("node-1", pod.getSpec().getNodeName());
        cluster.client.pods().inNamespace("default").withName("consumer").withGracePeriod(0).delete();
    }

    @Test
    void aPodNamingAClaimThatDoesNotExistIsUnschedulableWithKubeSchedulersMessageUntilTheClaimAppears() throws Exception {
        cluster.client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("claimless").withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("not-yet").endPersistentVolumeClaim().endVolume()
                .endSpec().build()).create();
        Pod waiting = await(WAIT, "PodScheduled=False naming the claim", () -> cluster.client.pods().inNamespace("default").withName("claimless").get(),
                p -> p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())));
        String message = waiting.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElseThrow().getMessage();
        assertEquals("0/1 nodes are available: persistentvolumeclaim \"not-yet\" not found.", message);
        assertNull(waiting.getSpec().getNodeName());
        create(claim("not-yet", "16Mi", null, "Filesystem", "ReadWriteOnce"));
        Pod bound = await(WAIT, "the pod bound once its claim exists and is bound", () -> cluster.client.pods().inNamespace("default").withName("claimless").get(),
                p -> p.getSpec().getNodeName() != null);
        assertEquals("node-1", bound.getSpec().getNodeName());
        cluster.client.pods().inNamespace("default").withName("claimless").withGracePeriod(0).delete();
    }

    @Test
    void aClaimInUseIsDeletedOnlyAfterItsPodLetsGo() throws Exception {
        PersistentVolumeClaim pvc = create(claim("used", "16Mi", null, "Filesystem", "ReadWriteOnce"));
        awaitClaim("used", "Bound");
        Pod pod = new PodBuilder().withNewMetadata().withName("user").withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("used").endPersistentVolumeClaim().endVolume()
                .withNodeSelector(Map.of("no-such-node", "x")).endSpec().build();
        cluster.client.pods().inNamespace("default").resource(pod).create();
        cluster.client.persistentVolumeClaims().inNamespace("default").withName("used").delete();
        String pv = LocalVolumes.volumeName(pvc.getMetadata().getUid());
        // barrier: the provisioner has acted on later claims; this one is still there, Terminating, with its files
        create(claim("later", "16Mi", null, "Filesystem", "ReadWriteOnce"));
        awaitClaim("later", "Bound");
        PersistentVolumeClaim terminating = cluster.client.persistentVolumeClaims().inNamespace("default").withName("used").get();
        assertNotNull(terminating, "a claim in use stays");
        assertNotNull(terminating.getMetadata().getDeletionTimestamp());
        assertTrue(Files.isDirectory(volumes.resolve(pv)));
        cluster.client.pods().inNamespace("default").withName("user").withGracePeriod(0).delete();
        await(WAIT, "claim, volume and files gone once the pod is", () -> cluster.client.persistentVolumeClaims().inNamespace("default").withName("used").get() == null
                && cluster.client.persistentVolumes().withName(pv).get() == null && Files.notExists(volumes.resolve(pv)), done -> done);
    }

    @Test
    void httpImportOfQcow2AndGzipSucceedsWithProgressAndRawContent() throws Exception {
        for (String file : List.of("guest.qcow2", "guest.qcow2.gz")) {
            String name = file.endsWith(".gz") ? "http-gz" : "http-qcow2";
            createDataVolume(name, Map.of("http", Map.of("url", url("/" + file))), "64Mi");
            JsonNode status = awaitDataVolume(name, "Succeeded");
            assertEquals("100.00%", status.path("progress").asText());
            assertEquals(0, status.path("restartCount").asInt());
            assertEquals(name, status.path("claimName").asText());
            assertEquals("True", condition(status, "Ready").path("status").asText());
            assertEquals("True", condition(status, "Bound").path("status").asText());
            assertEquals("Completed", condition(status, "Running").path("reason").asText());
            Path image = imageOf(name);
            assertEquals(64L << 20, Files.size(image), "resized to the volume");
            assertArrayEquals(guest, java.util.Arrays.copyOf(Files.readAllBytes(image), guest.length));
        }
    }

    @Test
    void basicAuthAndTransientErrorsAreRetriedWithBackoff() throws Exception {
        cluster.client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName("web-auth").endMetadata()
                .addToStringData("accessKeyId", "alice").addToStringData("secretKey", "secret").build()).create();
        unavailable.set(2);
        createDataVolume("flaky", Map.of("http", Map.of("url", url("/private/flaky/guest.qcow2.gz"), "secretRef", "web-auth")), "64Mi");
        JsonNode status = awaitDataVolume("flaky", "Succeeded");
        assertEquals(2, status.path("restartCount").asInt(), "two 503s, two restarts");
        createDataVolume("no-auth", Map.of("http", Map.of("url", url("/private/guest.qcow2"))), "64Mi");
        JsonNode failed = awaitDataVolume("no-auth", "Failed");
        assertTrue(condition(failed, "Running").path("message").asText().contains("HTTP 401"), failed.toString());
    }

    @Test
    void aRefusedImageFailsTheDataVolumeAndLeavesNoFile() throws Exception {
        createDataVolume("backed", Map.of("http", Map.of("url", url("/backed.qcow2"))), "64Mi");
        JsonNode status = awaitDataVolume("backed", "Failed");
        String message = condition(status, "Running").path("message").asText();
        assertTrue(message.contains("backing file '/etc/hostname'"), message);
        Path dir = imageOf("backed").getParent();
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "nothing left in the volume");
        }
    }

    @Test
    void blankAndCloneFillNewVolumes() throws Exception {
        createDataVolume("blank", Map.of("blank", Map.of()), "8Mi");
        awaitDataVolume("blank", "Succeeded");
        assertEquals(8L << 20, Files.size(imageOf("blank")));
        createDataVolume("origin", Map.of("http", Map.of("url", url("/guest.qcow2"))), "32Mi");
        awaitDataVolume("origin", "Succeeded");
        createDataVolume("copy", Map.of("pvc", Map.of("name", "origin", "namespace", "default")), "32Mi");
        awaitDataVolume("copy", "Succeeded");
        assertArrayEquals(Files.readAllBytes(imageOf("origin")), Files.readAllBytes(imageOf("copy")));
    }

    @Test
    void aVmCreatesWaitsForAndDeletesItsDataVolumeTemplates() throws Exception {
        Map<String, Object> storage = Map.of("resources", Map.of("requests", Map.of("storage", "32Mi")));
        Map<String, Object> template = Map.of("metadata", Map.of("name", "vm-dv-root"),
                "spec", Map.of("source", Map.of("http", Map.of("url", url("/flaky/guest.qcow2"))), "storage", storage));
        Map<String, Object> domain = Map.of("devices", Map.of("disks", List.of(Map.of("name", "root", "disk", Map.of("bus", "virtio")))),
                "memory", Map.of("guest", "64Mi"));
        Map<String, Object> vmiSpec = Map.of("domain", domain, "volumes", List.of(Map.of("name", "root", "dataVolume", Map.of("name", "vm-dv-root"))));
        Map<String, Object> vm = Map.of("apiVersion", "kubevirt.io/v1", "kind", "VirtualMachine",
                "metadata", Map.of("name", "vm-dv", "namespace", "default"),
                "spec", Map.of("runStrategy", "Always", "dataVolumeTemplates", List.of(template), "template", Map.of("spec", vmiSpec)));
        unavailable.set(1000); // keeps the import failing, so the VM is seen waiting
        cluster.client.genericKubernetesResources(VmLifecycleIT.VM_CTX).inNamespace("default")
                .resource(Serialization.unmarshal(JSON.writeValueAsString(vm), GenericKubernetesResource.class)).create();
        await(WAIT, "the VM waits for its DataVolume", () -> vmStatus("vm-dv").path("printableStatus").asText(),
                s -> s.equals("Provisioning"));
        assertNotNull(cluster.client.genericKubernetesResources(DataVolumeController.DATA_VOLUME).inNamespace("default").withName("vm-dv-root").get());
        assertEquals(null, cluster.client.genericKubernetesResources(VmLifecycleIT.VMI_CTX).inNamespace("default").withName("vm-dv").get(),
                "no VMI before the DataVolume succeeded");
        unavailable.set(0);
        await(WAIT, "the VMI once the DataVolume succeeded", () -> cluster.client.genericKubernetesResources(VmLifecycleIT.VMI_CTX)
                .inNamespace("default").withName("vm-dv").get(), v -> v != null);
        String pv = cluster.client.persistentVolumeClaims().inNamespace("default").withName("vm-dv-root").get().getSpec().getVolumeName();
        cluster.client.genericKubernetesResources(VmLifecycleIT.VM_CTX).inNamespace("default").withName("vm-dv").delete();
        // no node agent here: the VMI's finalizer is the controller's, its pod is deleted by it; wait for the whole chain
        await(Duration.ofSeconds(120), "DataVolume, claim and volume gone with the VM", () ->
                cluster.client.genericKubernetesResources(DataVolumeController.DATA_VOLUME).inNamespace("default").withName("vm-dv-root").get() == null
                        && cluster.client.persistentVolumes().withName(pv).get() == null && Files.notExists(volumes.resolve(pv)), done -> done);
    }

    @Test
    void registrySourceImportsTheContainerDiskThroughTheMirrorsAndRefusesAWrongName() throws Exception {
        Path layout = Path.of(System.getProperty("jvirt.build.dir", "../build")).resolve("images/demo/containerdisk");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(layout), "demo containerDisk not built (images/demo/build.sh)");
        String ref = registry.push(layout, "storage/demo:v1", "oci");
        createDataVolume("from-registry", Map.of("registry", Map.of("url", "docker://" + ref)), "64Mi");
        awaitDataVolume("from-registry", "Succeeded");
        createDataVolume("from-mirror", Map.of("registry", Map.of("url", "docker://registry:5000/storage/demo:v1")), "64Mi");
        awaitDataVolume("from-mirror", "Succeeded");
        Path expected = work.resolve("demo.raw");
        Path qcow2 = work.resolve("demo-from-layout.qcow2");
        Files.copy(layout.resolveSibling("demo.qcow2"), qcow2); // the layer holds /disk/demo.qcow2, built from the same file
        run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", qcow2.toString(), expected.toString());
        byte[] want = Files.readAllBytes(expected);
        assertArrayEquals(want, java.util.Arrays.copyOf(Files.readAllBytes(imageOf("from-registry")), want.length));
        assertArrayEquals(want, java.util.Arrays.copyOf(Files.readAllBytes(imageOf("from-mirror")), want.length), "pulled through the mirror");
        try (Stream<Path> left = Files.list(imageOf("from-registry").getParent())) {
            assertEquals(List.of(LocalVolumes.DISK_IMAGE), left.map(p -> p.getFileName().toString()).toList(), "the extracted layer file is gone");
        }

        createDataVolume("no-such-image", Map.of("registry", Map.of("url", "docker://" + registry.host() + "/storage/none:v1")), "64Mi");
        JsonNode failed = awaitDataVolume("no-such-image", "Failed");
        assertTrue(condition(failed, "Running").path("message").asText().toLowerCase(java.util.Locale.ROOT).contains("unknown"), failed.toString());
    }

    @Test
    void aVmOnAWaitForFirstConsumerDataVolumeStartsOnceTheVolumeIsFilled() throws Exception {
        if (cluster.client.storage().v1().storageClasses().withName("local-wffc-3").get() == null) {
            cluster.client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("local-wffc-3").endMetadata()
                    .withProvisioner(LocalVolumes.PROVISIONER).withReclaimPolicy("Delete").withVolumeBindingMode("WaitForFirstConsumer").build()).create();
        }
        Map<String, Object> storage = Map.of("storageClassName", "local-wffc-3", "resources", Map.of("requests", Map.of("storage", "32Mi")));
        Map<String, Object> template = Map.of("metadata", Map.of("name", "wffc-root"),
                "spec", Map.of("source", Map.of("http", Map.of("url", url("/guest.qcow2.gz"))), "storage", storage));
        Map<String, Object> domain = Map.of("devices", Map.of("disks", List.of(Map.of("name", "root", "disk", Map.of("bus", "virtio")))),
                "memory", Map.of("guest", "64Mi"));
        Map<String, Object> vmiSpec = Map.of("domain", domain, "volumes", List.of(Map.of("name", "root", "dataVolume", Map.of("name", "wffc-root"))));
        Map<String, Object> vm = Map.of("apiVersion", "kubevirt.io/v1", "kind", "VirtualMachine",
                "metadata", Map.of("name", "vm-wffc", "namespace", "default"),
                "spec", Map.of("runStrategy", "Always", "dataVolumeTemplates", List.of(template), "template", Map.of("spec", vmiSpec)));
        cluster.client.genericKubernetesResources(VmLifecycleIT.VM_CTX).inNamespace("default")
                .resource(Serialization.unmarshal(JSON.writeValueAsString(vm), GenericKubernetesResource.class)).create();
        Pod pod = await(WAIT, "the launcher pod bound once its volume is filled", () -> cluster.client.pods().inNamespace("default")
                .withLabel("kubevirt.io/domain", "vm-wffc").list().getItems().stream().filter(p -> p.getSpec().getNodeName() != null).findFirst().orElse(null),
                p -> p != null);
        JsonNode dv = awaitDataVolume("wffc-root", "Succeeded");
        assertEquals("100.00%", dv.path("progress").asText());
        assertEquals("node-1", awaitClaim("wffc-root", "Bound").getMetadata().getAnnotations().get(LocalVolumes.SELECTED_NODE));
        assertEquals("node-1", pod.getSpec().getNodeName());
        assertEquals("Succeeded", awaitClaim("wffc-root", "Bound").getMetadata().getAnnotations().get(LocalVolumes.POPULATION_PHASE),
                "the pod was bound only after the import");
        cluster.client.genericKubernetesResources(VmLifecycleIT.VM_CTX).inNamespace("default").withName("vm-wffc").delete();
    }

    private static JsonNode vmStatus(String name) {
        GenericKubernetesResource vm = cluster.client.genericKubernetesResources(VmLifecycleIT.VM_CTX).inNamespace("default").withName(name).get();
        return vm == null ? JSON.missingNode() : JSON.valueToTree(vm.getAdditionalProperties().get("status"));
    }

    private static Path imageOf(String claim) throws InterruptedException {
        PersistentVolumeClaim pvc = awaitClaim(claim, "Bound");
        return volumes.resolve(pvc.getSpec().getVolumeName()).resolve(LocalVolumes.DISK_IMAGE);
    }

    private static void createDataVolume(String name, Map<String, Object> source, String size) throws Exception {
        Map<String, Object> dv = Map.of("apiVersion", "cdi.kubevirt.io/v1beta1", "kind", "DataVolume",
                "metadata", Map.of("name", name, "namespace", "default"),
                "spec", Map.of("source", source, "storage", Map.of("resources", Map.of("requests", Map.of("storage", size)))));
        cluster.client.genericKubernetesResources(DataVolumeController.DATA_VOLUME).inNamespace("default")
                .resource(Serialization.unmarshal(JSON.writeValueAsString(dv), GenericKubernetesResource.class)).create();
    }

    private static JsonNode awaitDataVolume(String name, String phase) throws InterruptedException {
        return await(WAIT, "DataVolume " + name + " " + phase, () -> {
            GenericKubernetesResource dv = cluster.client.genericKubernetesResources(DataVolumeController.DATA_VOLUME).inNamespace("default").withName(name).get();
            return dv == null ? JSON.missingNode() : JSON.valueToTree(dv.getAdditionalProperties().get("status"));
        }, s -> phase.equals(s.path("phase").asText()));
    }

    private static JsonNode condition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) if (type.equals(c.path("type").asText())) return c;
        return JSON.missingNode();
    }

    private static PersistentVolumeClaim claim(String name, String size, String storageClass, String mode, String... accessModes) {
        PersistentVolumeClaim c = new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withAccessModes(accessModes).withVolumeMode(mode)
                .withNewResources().addToRequests("storage", new Quantity(size)).endResources().endSpec().build();
        if (storageClass != null) c.getSpec().setStorageClassName(storageClass);
        return c;
    }

    private static PersistentVolumeClaim create(PersistentVolumeClaim c) {
        return cluster.client.persistentVolumeClaims().inNamespace("default").resource(c).create();
    }

    private static PersistentVolumeClaim awaitClaim(String name, String phase) throws InterruptedException {
        return await(WAIT, "claim " + name + " " + phase, () -> cluster.client.persistentVolumeClaims().inNamespace("default").withName(name).get(),
                c -> c != null && c.getStatus() != null && phase.equals(c.getStatus().getPhase()));
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(b)) {
            o.write(data);
        }
        return b.toByteArray();
    }

    private static void run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (p.waitFor() != 0) throw new IOException(List.of(argv) + ": " + out);
    }
}

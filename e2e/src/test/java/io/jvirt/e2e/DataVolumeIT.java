package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's DataVolume acceptance through the product: {@code ./jvirt up}, the stock kubectl, a loopback HTTP server
 * (the JDK's) serving the demo qcow2 and its .gz and .xz, real qemu-img and a real QEMU guest booting from the imported
 * volume; a file written in the guest survives {@code virtctl restart}; deleting the VM deletes its DataVolume and
 * frees the volume.
 */
class DataVolumeIT {
    private static final Path DEMO = JvirtUp.ROOT.resolve("build/images/demo/demo.qcow2");
    private static final Map<String, byte[]> SERVED = new ConcurrentHashMap<>();
    private static JvirtUp jvirt;
    private static Api api;
    private static HttpServer http;

    @BeforeAll
    static void up() throws Exception {
        byte[] qcow2 = Files.readAllBytes(DEMO);
        SERVED.put("/demo.qcow2", qcow2);
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz)) {
            o.write(qcow2);
        }
        SERVED.put("/demo.qcow2.gz", gz.toByteArray());
        Process xz = new ProcessBuilder("xz", "-1", "-c", DEMO.toString()).start();
        SERVED.put("/demo.qcow2.xz", xz.getInputStream().readAllBytes());
        assertEquals(0, xz.waitFor(), "xz");
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", ex -> {
            byte[] body = SERVED.get(ex.getRequestURI().getPath());
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
            ex.close();
        });
        http.start();
        jvirt = JvirtUp.start();
        api = Api.of(jvirt.kubeconfig());
    }

    @AfterAll
    static void down() throws Exception {
        if (jvirt != null) jvirt.close();
        if (http != null) http.stop(0);
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    @Test
    void vmBootsFromImportedVolumeKeepsGuestWritesAndFreesItOnDelete() throws Exception {
        jvirt.kubectlWithInput("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata:
                  name: vm-dv
                spec:
                  runStrategy: Always
                  dataVolumeTemplates:
                  - metadata:
                      name: vm-dv-root
                    spec:
                      source:
                        http:
                          url: %s
                      storage:
                        resources:
                          requests:
                            storage: 128Mi
                  template:
                    spec:
                      domain:
                        memory:
                          guest: 128Mi
                        devices:
                          disks:
                          - name: root
                            disk:
                              bus: virtio
                      volumes:
                      - name: root
                        dataVolume:
                          name: vm-dv-root
                """.formatted(url("/demo.qcow2.xz")), "apply", "-f", "-");
        for (String file : List.of("demo.qcow2", "demo.qcow2.gz")) {
            String name = "dv-" + file.replace('.', '-');
            jvirt.kubectlWithInput("""
                    apiVersion: cdi.kubevirt.io/v1beta1
                    kind: DataVolume
                    metadata:
                      name: %s
                    spec:
                      source:
                        http:
                          url: %s
                      storage:
                        resources:
                          requests:
                            storage: 128Mi
                    """.formatted(name, url("/" + file)), "apply", "-f", "-");
        }
        for (String dv : List.of("vm-dv-root", "dv-demo-qcow2", "dv-demo-qcow2-gz")) {
            JsonNode status = Waits.until("DataVolume " + dv + " Succeeded", Duration.ofSeconds(180), () -> {
                JsonNode d = api.get("/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes/" + dv);
                return d != null && "Succeeded".equals(d.path("status").path("phase").asText()) ? d.path("status") : null;
            });
            assertEquals("100.00%", status.path("progress").asText());
        }
        assertTrue(jvirt.kubectl("get", "dv", "vm-dv-root").matches("(?s).*vm-dv-root\\s+Succeeded\\s+100.00%.*"), jvirt.kubectl("get", "dv"));
        byte[] fromXz = Files.readAllBytes(imageOf("vm-dv-root"));
        assertArrayEquals(fromXz, Files.readAllBytes(imageOf("dv-demo-qcow2")), "qcow2 and qcow2.xz import to the same raw image");
        assertArrayEquals(fromXz, Files.readAllBytes(imageOf("dv-demo-qcow2-gz")), "qcow2 and qcow2.gz import to the same raw image");

        String firstUid = running("vm-dv", null);
        try (Api.Stream console = api.stream("vm-dv", "console")) {
            console.login(Duration.ofSeconds(180));
            console.expect("mkdir -p /mnt/d && mount /dev/vda /mnt/d && echo kept-$((6*7)) > /mnt/d/keep.txt && sync && umount /mnt/d && echo written",
                    "\nwritten", Duration.ofSeconds(60));
        }
        JvirtUp.Result restart = jvirt.virtctl("restart", "vm-dv");
        assertEquals(0, restart.exit(), restart.out());
        running("vm-dv", firstUid);
        try (Api.Stream console = api.stream("vm-dv", "console")) {
            console.login(Duration.ofSeconds(180));
            console.expect("mkdir -p /mnt/d && mount /dev/vda /mnt/d && cat /mnt/d/keep.txt", "kept-42", Duration.ofSeconds(60));
        }

        Path volume = imageOf("vm-dv-root").getParent();
        jvirt.kubectl("delete", "vm", "vm-dv");
        Waits.until("DataVolume, claim and volume of the VM gone", Duration.ofSeconds(180), () ->
                api.get("/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes/vm-dv-root") == null
                        && api.get("/api/v1/namespaces/default/persistentvolumeclaims/vm-dv-root") == null
                        && Files.notExists(volume) ? true : null);
    }

    @Test
    void imageUploadWithVirtctlThenBootFromItAndFromItsClone() throws Exception {
        JvirtUp.Result upload = jvirt.virtctl("image-upload", "dv", "up1", "--size=1Gi", "--image-path=" + DEMO, "--insecure");
        assertEquals(0, upload.exit(), upload.out());
        assertTrue(upload.out().contains("DataVolume default/up1 created"), upload.out());
        assertTrue(upload.out().matches("(?s).*\\d+\\.\\d\\d MiB / \\d+\\.\\d\\d MiB \\[=+\\] 100\\.00% \\d+\\.\\d\\d MiB/s.*"), upload.out());
        assertTrue(upload.out().contains("Processing completed successfully"), upload.out());
        JsonNode status = api.get("/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes/up1").path("status");
        assertEquals("Succeeded", status.path("phase").asText());
        assertEquals(1L << 30, Files.size(imageOf("up1")), "the upload fills the 1Gi volume");

        JvirtUp.Result again = jvirt.virtctl("image-upload", "dv", "up1", "--no-create", "--image-path=" + DEMO, "--insecure");
        assertEquals(1, again.exit(), "an upload into a populated volume is refused: " + again.out());

        jvirt.kubectlWithInput("""
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataVolume
                metadata:
                  name: up1-clone
                spec:
                  source:
                    pvc:
                      namespace: default
                      name: up1
                  storage:
                    resources:
                      requests:
                        storage: 1Gi
                """, "apply", "-f", "-");
        Waits.until("clone Succeeded", Duration.ofSeconds(180), () -> "Succeeded".equals(api.get(
                "/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes/up1-clone").path("status").path("phase").asText()) ? true : null);
        for (String claim : List.of("up1", "up1-clone")) {
            String vm = "vm-" + claim;
            jvirt.kubectlWithInput("""
                    apiVersion: kubevirt.io/v1
                    kind: VirtualMachine
                    metadata:
                      name: %s
                    spec:
                      runStrategy: Always
                      template:
                        spec:
                          domain:
                            memory:
                              guest: 128Mi
                            devices:
                              disks:
                              - name: root
                                disk:
                                  bus: virtio
                          volumes:
                          - name: root
                            persistentVolumeClaim:
                              claimName: %s
                    """.formatted(vm, claim), "apply", "-f", "-");
            running(vm, null);
            try (Api.Stream console = api.stream(vm, "console")) {
                console.awaitLogin(Duration.ofSeconds(180));
            }
            jvirt.kubectl("delete", "vm", vm);
            Waits.until("VMI " + vm + " gone", Duration.ofSeconds(120), () -> api.vmi(vm) == null ? true : null);
        }
    }

    @Test
    void hostDiskNeedsTheGateAndAClaimInUseStaysUntilItsVmLetsGo() throws Exception {
        Path dir = jvirt.home().resolve("hostdisks");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Path disk = dir.resolve("data.img");
        String vm = """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata:
                  name: vm-host
                spec:
                  runStrategy: Always
                  template:
                    spec:
                      domain:
                        memory:
                          guest: 128Mi
                        devices:
                          disks:
                          - name: root
                            disk:
                              bus: virtio
                          - name: host
                            disk:
                              bus: virtio
                          - name: keep
                            disk:
                              bus: virtio
                      volumes:
                      - name: root
                        containerDisk:
                          image: quay.io/kubevirt/cirros-container-disk-demo
                      - name: host
                        hostDisk:
                          path: %s
                          type: DiskOrCreate
                          capacity: 64Mi
                      - name: keep
                        persistentVolumeClaim:
                          claimName: keep
                """.formatted(disk);
        JvirtUp.Result refused = jvirt.kubectlAs(jvirt.kubeconfig(), vm, "apply", "-f", "-");
        assertEquals(1, refused.exit(), refused.out());
        assertTrue(refused.out().contains("HostDisk feature gate is not enabled"), refused.out());

        jvirt.kubectl("patch", "kubevirt", "kubevirt", "-n", "kubevirt", "--type", "merge",
                "-p", "{\"spec\":{\"configuration\":{\"developerConfiguration\":{\"featureGates\":[\"HostDisk\"]}}}}");
        jvirt.kubectlWithInput("""
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata:
                  name: keep
                spec:
                  accessModes: [ReadWriteOnce]
                  resources:
                    requests:
                      storage: 32Mi
                """, "apply", "-f", "-");
        Waits.until("the gate reaches admission", Duration.ofSeconds(60), () -> jvirt.kubectlAs(jvirt.kubeconfig(), vm, "apply", "-f", "-").exit() == 0 ? true : null);
        running("vm-host", null);
        assertEquals(64L << 20, Files.size(disk), "DiskOrCreate made the file with its capacity");
        assertEquals(107, Files.getAttribute(disk, "unix:uid"), "the file jvirt created is QEMU's user's");
        try (Api.Stream console = api.stream("vm-host", "console")) {
            console.login(Duration.ofSeconds(180));
            console.expect("cat /sys/block/vdb/size /sys/block/vdc/size", "\n131072", Duration.ofSeconds(30));
        }

        jvirt.kubectl("delete", "pvc", "keep", "--wait=false");
        jvirt.kubectlWithInput("""
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata:
                  name: barrier
                spec:
                  accessModes: [ReadWriteOnce]
                  resources:
                    requests:
                      storage: 16Mi
                """, "apply", "-f", "-");
        Waits.until("a later claim bound (the provisioner has acted)", Duration.ofSeconds(60), () ->
                "Bound".equals(api.get("/api/v1/namespaces/default/persistentvolumeclaims/barrier").path("status").path("phase").asText()) ? true : null);
        JsonNode keep = api.get("/api/v1/namespaces/default/persistentvolumeclaims/keep");
        assertTrue(keep != null && keep.path("metadata").has("deletionTimestamp"), "a claim in use stays, Terminating: " + keep);
        assertEquals("Running", api.vmi("vm-host").path("status").path("phase").asText());
        jvirt.kubectl("delete", "vm", "vm-host");
        Waits.until("the claim gone once the VM let go", Duration.ofSeconds(180), () ->
                api.get("/api/v1/namespaces/default/persistentvolumeclaims/keep") == null ? true : null);
        assertTrue(Files.exists(disk), "a hostDisk stays on the host");
    }

    /** Waits for VMI {@code name} Running with a uid other than {@code notUid}; returns its uid. */
    private static String running(String name, String notUid) throws Exception {
        return Waits.until("VMI " + name + " Running", Duration.ofSeconds(180), () -> {
            JsonNode v = api.vmi(name);
            if (v == null || !"Running".equals(v.path("status").path("phase").asText())) return null;
            String uid = v.path("metadata").path("uid").asText();
            return uid.equals(notUid) ? null : uid;
        });
    }

    private static Path imageOf(String claim) throws Exception {
        JsonNode pvc = api.get("/api/v1/namespaces/default/persistentvolumeclaims/" + claim);
        Path image = jvirt.home().resolve("volumes").resolve(pvc.path("spec").path("volumeName").asText()).resolve("disk.img");
        try (Stream<Path> s = Files.list(image.getParent())) {
            assertEquals(List.of(image), s.toList(), "only disk.img in the volume");
        }
        return image;
    }
}

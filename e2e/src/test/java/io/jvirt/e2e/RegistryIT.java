package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.registry.LoopbackRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's registry acceptance through the product: Debian's docker-registry on loopback (one open, one behind
 * htpasswd), the demo containerDisk and kernel-boot image pushed there by skopeo under new names, {@code ./jvirt up}
 * with {@code registry:5000} mapped to the open registry in {@code config.properties}, the stock kubectl, real guests.
 */
class RegistryIT {
    private static final Path DEMO = JvirtUp.ROOT.resolve("build/images/demo");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LoopbackRegistry open;
    private static LoopbackRegistry locked;
    private static JvirtUp jvirt;
    private static Api api;

    @BeforeAll
    static void up() throws Exception {
        open = LoopbackRegistry.start(null);
        locked = LoopbackRegistry.start("carol", "pull-only-pw");
        open.push(DEMO.resolve("containerdisk"), "jvirt/my-demo:v1", "oci");
        open.push(DEMO.resolve("kernelboot"), "jvirt/demo-kernel:latest", "oci");
        locked.push(DEMO.resolve("containerdisk"), "private/demo:v1", "v2s2");
        jvirt = JvirtUp.inFreshHome();
        Files.writeString(jvirt.home().resolve("config.properties"), "registryMirror.registry\\:5000=" + open.host().replace(":", "\\:") + "\n");
        jvirt.up();
        api = Api.of(jvirt.kubeconfig());
    }

    @AfterAll
    static void down() throws Exception {
        if (jvirt != null) {
            jvirt.close();
        }
        for (LoopbackRegistry r : new LoopbackRegistry[] {open, locked}) {
            if (r != null) {
                r.close();
            }
        }
    }

    private static String vm(String name, String image, String pullSecret) {
        return """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata: {name: %s}
                spec:
                  runStrategy: Always
                  template:
                    spec:
                      domain:
                        devices:
                          disks: [{name: rootdisk, disk: {bus: virtio}}]
                        memory: {guest: 128Mi}
                      terminationGracePeriodSeconds: 0
                      volumes:
                      - name: rootdisk
                        containerDisk: {image: "%s"%s}
                """.formatted(name, image, pullSecret == null ? "" : ", imagePullSecret: " + pullSecret);
    }

    private static String printable(String vm) throws Exception {
        JsonNode v = api.vm(vm);
        return v == null ? null : v.path("status").path("printableStatus").asText(null);
    }

    /** True when the VM shows a failed pull, as KubeVirt does: ErrImagePull, then ImagePullBackOff between attempts. */
    private static boolean pullFailed(String vm) throws Exception {
        String shown = printable(vm);
        return "ErrImagePull".equals(shown) || "ImagePullBackOff".equals(shown);
    }

    private static JsonNode running(String vmi) throws Exception {
        return Waits.until(vmi + " Running", Duration.ofSeconds(180), () -> {
            JsonNode v = api.vmi(vmi);
            return v != null && "Running".equals(v.path("status").path("phase").asText()) ? v : null;
        });
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** The uid of the launcher pod of VMI {@code vmi}. */
    private static String podUid(String vmi) throws Exception {
        String vmiUid = api.vmi(vmi).path("metadata").path("uid").asText();
        return jvirt.kubectl("get", "pods", "-l", "kubevirt.io/created-by=" + vmiUid, "-o", "jsonpath={.items[0].metadata.uid}").strip();
    }

    /** The backing file qemu-img reports for the overlay of volume {@code rootdisk} of VMI {@code vmi}. */
    private static String backingOf(String vmi) throws Exception {
        Path overlay = jvirt.home().resolve("node/disks").resolve(podUid(vmi)).resolve("rootdisk.qcow2");
        Process p = new ProcessBuilder("qemu-img", "info", "--output=json", "-U", overlay.toString()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), new String(out, StandardCharsets.UTF_8));
        return JSON.readTree(out).path("backing-filename").asText();
    }

    @Test
    void aVmNamingAPushedImageBootsTwoVmisShareOneCachedBaseAndGuestWritesLeaveItAlone() throws Exception {
        jvirt.kubectlWithInput(vm("vm-pulled", "registry:5000/jvirt/my-demo:v1", null), "apply", "-f", "-");
        jvirt.kubectlWithInput(vm("vm-pulled-too", open.host() + "/jvirt/my-demo:v1", null), "apply", "-f", "-");
        running("vm-pulled");
        running("vm-pulled-too");
        Path images = jvirt.home().resolve("node/images");
        List<Path> cached;
        try (Stream<Path> s = Files.list(images)) {
            cached = s.filter(p -> p.getFileName().toString().startsWith("sha256-")).toList();
        }
        assertEquals(1, cached.size(), "one cached image for both names of the same manifest: " + cached);
        Path base = cached.get(0).resolve("disk.qcow2");
        String demo = sha256(DEMO.resolve("demo.qcow2"));
        assertEquals(demo, sha256(base));

        try (Api.Stream console = api.stream("vm-pulled", "console")) {
            console.login(Duration.ofSeconds(180));
            console.expect("dd if=/dev/urandom of=/dev/vda bs=64k count=16 conv=fsync && echo wrote-$((6*7))", "wrote-42", Duration.ofSeconds(60));
        }
        assertEquals(demo, sha256(base), "the guest's write went to its overlay, not to the cache");
        assertEquals(base.toString(), backingOf("vm-pulled"));
        assertEquals(base.toString(), backingOf("vm-pulled-too"));
        jvirt.kubectl("delete", "vm", "vm-pulled", "vm-pulled-too", "--wait=false");
    }

    @Test
    void aWrongNameShowsErrImagePullOnTheVmWithTheRegistrysMessage() throws Exception {
        jvirt.kubectlWithInput(vm("vm-wrong", "registry:5000/jvirt/no-such-image:v1", null), "apply", "-f", "-");
        Waits.until("vm-wrong's VMI", Duration.ofSeconds(30), () -> api.vmi("vm-wrong"));
        // issue 17: from the VMI's creation, within 10 s the VM says ErrImagePull and kubectl describe vmi the node's message
        String pulling = "Failed to pull image \"registry:5000/jvirt/no-such-image:v1\": ";
        Waits.until("vm-wrong ErrImagePull or ImagePullBackOff, and the node's message in describe vmi", Duration.ofSeconds(10),
                () -> pullFailed("vm-wrong") && jvirt.kubectlResult("describe", "vmi", "vm-wrong").out().contains(pulling));
        JsonNode vmi = api.vmi("vm-wrong");
        String message = synchronizedMessage(vmi);
        assertTrue(message.contains("registry:5000/jvirt/no-such-image:v1") && (message.contains("NAME_UNKNOWN") || message.contains("MANIFEST_UNKNOWN")), message);
        String shown = jvirt.kubectl("get", "vm", "vm-wrong");
        assertTrue(shown.contains("ErrImagePull") || shown.contains("ImagePullBackOff"), shown);
        jvirt.kubectl("delete", "vm", "vm-wrong", "--wait=false");
    }

    @Test
    void thePrivateRegistryNeedsItsSecret() throws Exception {
        String image = locked.host() + "/private/demo:v1";
        jvirt.kubectlWithInput(vm("vm-no-secret", image, null), "apply", "-f", "-");
        Waits.until("vm-no-secret ErrImagePull", Duration.ofSeconds(90),
                () -> pullFailed("vm-no-secret"));
        assertTrue(synchronizedMessage(api.vmi("vm-no-secret")).contains("no credentials"), synchronizedMessage(api.vmi("vm-no-secret")));

        jvirt.kubectl("create", "secret", "docker-registry", "carol-pull", "--docker-server=" + locked.host(),
                "--docker-username=carol", "--docker-password=pull-only-pw");
        jvirt.kubectlWithInput(vm("vm-with-secret", image, "carol-pull"), "apply", "-f", "-");
        running("vm-with-secret");
        Waits.until("vm-with-secret Running", Duration.ofSeconds(60), () -> "Running".equals(printable("vm-with-secret")));
        jvirt.kubectl("delete", "vm", "vm-no-secret", "vm-with-secret", "--wait=false");
    }

    @Test
    void theKernelBootExampleBootsFromTheImageInTheRegistry() throws Exception {
        jvirt.kubectl("apply", "-f", JvirtUp.EXAMPLES.resolve("vmi-kernel-boot.yaml").toString());
        running("vmi-kernel-boot");
        String instance = jvirt.instanceId();
        Path serial = Path.of("/run/jvirt", instance + "-" + podUid("vmi-kernel-boot"), "serial.log");
        Waits.until("jvirt-demo ready in " + serial, Duration.ofSeconds(180),
                () -> Files.exists(serial) && new String(Files.readAllBytes(serial), StandardCharsets.ISO_8859_1).contains("jvirt-demo ready"));
        jvirt.kubectl("delete", "vmi", "vmi-kernel-boot", "--wait=false");
    }

    private static String synchronizedMessage(JsonNode vmi) {
        for (JsonNode c : vmi.path("status").path("conditions")) {
            if ("Synchronized".equals(c.path("type").asText())) {
                return c.path("reason").asText() + ": " + c.path("message").asText();
            }
        }
        return "(no Synchronized condition in " + vmi.path("status") + ")";
    }
}

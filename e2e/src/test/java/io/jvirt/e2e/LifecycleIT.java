package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's acceptance through the product: {@code ./jvirt up}, the stock kubectl, the project's
 * example manifests ({@code examples/}) unmodified, real QEMU guests (TCG here), the console over the relayed WebSocket.
 */
class LifecycleIT {
    private static final String START = Api.SUB + "default/virtualmachines/%s/start";
    private static JvirtUp jvirt;
    private static Api api;

    @BeforeAll
    static void up() throws Exception {
        jvirt = JvirtUp.start();
        api = Api.of(jvirt.kubeconfig());
    }

    @AfterAll
    static void down() throws Exception {
        if (jvirt != null) {
            jvirt.close();
        }
    }

    @Test
    void vmCirrosStartsConsoleStopsAndRestartsWithANewVmi() throws Exception {
        jvirt.kubectl("apply", "-f", JvirtUp.EXAMPLES.resolve("vm-cirros.yaml").toString());
        Waits.until("vm-cirros Stopped", Duration.ofSeconds(30), () -> "Stopped".equals(printable("vm-cirros")));
        assertTrue(jvirt.kubectl("get", "vm", "vm-cirros").matches("(?s).*vm-cirros\\s+\\S+\\s+Stopped\\s+False.*"));

        try (StatusWatch seen = StatusWatch.of(jvirt, "vm-cirros")) {
            putSubresource(START.formatted("vm-cirros"));
            JsonNode vmi = Waits.until("VMI Running and Ready", Duration.ofSeconds(120), () -> {
                JsonNode v = api.vmi("vm-cirros");
                return v != null && "Running".equals(v.path("status").path("phase").asText()) && "True".equals(condition(v, "Ready")) ? v : null;
            });
            assertEquals("True", condition(vmi, "SoftwareEmulation"), "TCG on this machine");
            assertEquals("jvirt/virt-launcher:v0.1.0", vmi.path("status").path("launcherContainerImageVersion").asText());
            Waits.until("VM Running", Duration.ofSeconds(30), () -> "Running".equals(printable("vm-cirros")));
            assertEquals(List.of("Stopped", "Starting", "Running"), seen.distinct().subList(0, 3), "printableStatus sequence " + seen.distinct());
        }
        assertTrue(jvirt.kubectl("get", "vm", "vm-cirros").matches("(?s).*vm-cirros\\s+\\S+\\s+Running\\s+True.*"));

        try (Api.Stream console = api.stream("vm-cirros", "console")) {
            assertEquals("plain.kubevirt.io", console.subprotocol());
            console.awaitLogin(Duration.ofSeconds(120));
            assertTrue(console.text().contains("jvirt example: user data ran"), console.text());
        }

        String firstUid = api.vmi("vm-cirros").path("metadata").path("uid").asText();
        ProcessHandle qemu = qemuOf(firstUid);
        assertUnprivileged(qemu.pid());
        // KubeVirt's defaults: the VM's firmware UUID (the VM mutator's) reaches QEMU; the defaulted pod interface is a NIC
        String firmwareUuid = api.vm("vm-cirros").path("spec").path("template").path("spec").path("domain").path("firmware").path("uuid").asText();
        assertEquals(firmwareUuid, api.vmi("vm-cirros").path("spec").path("domain").path("firmware").path("uuid").asText());
        List<String> argv = List.of(Files.readString(Path.of("/proc", Long.toString(qemu.pid()), "cmdline")).split("\0"));
        assertEquals(firmwareUuid, argv.get(argv.indexOf("-uuid") + 1), "QEMU's -uuid: " + argv);
        assertTrue(argv.stream().anyMatch(a -> a.startsWith("virtio-net-pci,") && a.contains("id=ua-default")), "a NIC for the default interface: " + argv);
        Path podDir = podDirOf(firstUid);
        assertQemusUserCannotRead(jvirt.home().resolve("tokens.csv"), jvirt.home().resolve("store/objects.db"),
                jvirt.home().resolve("kubeconfig"), podDir.resolve("qemu-argv.json"), podDir.resolve("compute.log"));
        assertEquals(Long.parseLong(Files.readString(jvirt.home().resolve("jvirt.pid")).strip()), qemu.parent().orElseThrow().pid(),
                "QEMU is a child of the control plane's node agent: no launcher process between them");
        jvirt.kubectl("replace", "--raw", Api.SUB + "default/virtualmachines/vm-cirros/stop", "-f", emptyBody().toString());
        Waits.until("vm-cirros Stopped after stop", Duration.ofSeconds(60), () -> "Stopped".equals(printable("vm-cirros")));
        Waits.until("QEMU of the stopped VM gone", Duration.ofSeconds(30), () -> !qemu.isAlive());
        Waits.until("VMI deleted", Duration.ofSeconds(30), () -> api.vmi("vm-cirros") == null);

        putSubresource(START.formatted("vm-cirros"));
        String secondUid = runningVmiUid("vm-cirros");
        assertNotEquals(firstUid, secondUid);
        putSubresource(Api.SUB + "default/virtualmachines/vm-cirros/restart");
        String thirdUid = Waits.until("a new VMI after restart", Duration.ofSeconds(120), () -> {
            JsonNode v = api.vmi("vm-cirros");
            String uid = v == null ? null : v.path("metadata").path("uid").asText();
            return uid != null && !uid.equals(secondUid) && "Running".equals(v.path("status").path("phase").asText()) ? uid : null;
        });
        assertNotEquals(secondUid, thirdUid);
        assertEquals(firmwareUuid, api.vmi("vm-cirros").path("spec").path("domain").path("firmware").path("uuid").asText(),
                "the firmware UUID stays across restarts");
        deleteVm("vm-cirros");
    }

    /** QEMU as KubeVirt's qemu user: no capabilities, no supplementary groups, no-new-privs, its seccomp filter on. */
    static void assertUnprivileged(long qemu) throws Exception {
        List<String> status = Files.readAllLines(Path.of("/proc/" + qemu + "/status"));
        for (String line : List.of("Uid:\t107\t107\t107\t107", "Gid:\t107\t107\t107\t107", "CapEff:\t0000000000000000",
                "CapPrm:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2")) {
            assertTrue(status.contains(line), "QEMU's /proc/" + qemu + "/status has " + line + ": " + status);
        }
    }

    /** As uid/gid 107 without groups, opening each file fails with EACCES. */
    static void assertQemusUserCannotRead(Path... files) throws Exception {
        for (Path f : files) {
            assertTrue(Files.exists(f), f + " exists");
            Process p = new ProcessBuilder("setpriv", "--reuid=107", "--regid=107", "--clear-groups", "head", "-c", "1", f.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertTrue(p.exitValue() != 0 && out.contains("Permission denied"), "uid 107 reading " + f + ": exit " + p.exitValue() + ", " + out);
        }
    }

    /** The node agent's directory (root's: QEMU's argv, its log) of VMI {@code vmiUid}'s launcher pod. */
    private static Path podDirOf(String vmiUid) throws Exception {
        JsonNode pods = api.get("/api/v1/namespaces/default/pods?labelSelector=kubevirt.io%2Fcreated-by%3D" + vmiUid).path("items");
        return jvirt.home().resolve("node/pods").resolve(pods.get(0).path("metadata").path("uid").asText());
    }

    /**
     * An edit user cannot make the node run anything: a launcher-labelled pod or a pod bound to the node is
     * refused at admission (403), and an ordinary pod the scheduler binds is refused by the node agent
     * (Failed, NotALauncherPod): its command never runs.
     */
    @Test
    void anEditUserCannotMakeTheNodeRunACommand() throws Exception {
        JvirtUp.Result made = jvirt.jvirt("kubeconfig", "mallory", "edit");
        assertEquals(0, made.exit(), made.out());
        Path kubeconfig = Files.writeString(jvirt.home().resolve("mallory.kubeconfig"), made.out());
        Path marker = Path.of("/tmp", "jvirt-e2e-pwned-" + ProcessHandle.current().pid());
        Files.deleteIfExists(marker);
        String container = "\"containers\":[{\"name\":\"compute\",\"image\":\"x\",\"command\":[\"/bin/sh\",\"-c\",\"id > " + marker + "\"]}]";
        String[][] refused = {
            {"evil-launcher", "\"labels\":{\"kubevirt.io\":\"virt-launcher\"}", ""},
            {"evil-bound", "\"labels\":{}", "\"nodeName\":\"" + jvirt.kubectl("get", "nodes", "-o", "jsonpath={.items[0].metadata.name}").strip() + "\","},
        };
        for (String[] pod : refused) {
            String manifest = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + pod[0] + "\"," + pod[1] + "},"
                    + "\"spec\":{" + pod[2] + container + "}}";
            JvirtUp.Result r = jvirt.kubectlAs(kubeconfig, manifest, "create", "-f", "-");
            assertTrue(r.exit() != 0 && r.out().contains("(Forbidden)"), pod[0] + ": " + r.out());
        }
        String plain = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"plain\"},\"spec\":{" + container + "}}";
        assertEquals(0, jvirt.kubectlAs(kubeconfig, plain, "create", "-f", "-").exit());
        Waits.until("the ordinary pod refused by the node", Duration.ofSeconds(60),
                () -> kubectlQuietly("get", "pod", "plain", "-o", "jsonpath={.status.phase}/{.status.reason}").equals("Failed/NotALauncherPod"));
        assertTrue(!Files.exists(marker), "the pod's command never ran on the host");
        jvirt.kubectl("delete", "pod", "plain");
    }

    private static String kubectlQuietly(String... args) {
        try {
            return jvirt.kubectl(args).strip();
        } catch (Exception | AssertionError e) {
            return "";
        }
    }

    @Test
    void startPausedGivesAPausedVmThatUnpauses() throws Exception {
        jvirt.kubectlWithInput(variant("vm-paused", "Halted"), "apply", "-f", "-");
        Waits.until("vm-paused Stopped", Duration.ofSeconds(30), () -> "Stopped".equals(printable("vm-paused")));
        Path paused = Files.writeString(jvirt.home().resolve("paused.json"), "{\"paused\":true}");
        jvirt.kubectl("replace", "--raw", START.formatted("vm-paused"), "-f", paused.toString());
        Waits.until("vm-paused Paused", Duration.ofSeconds(120), () -> "Paused".equals(printable("vm-paused")));
        JsonNode vmi = api.vmi("vm-paused");
        assertEquals("Paused", vmi.path("spec").path("startStrategy").asText());
        assertEquals("True", condition(vmi, "Paused"));
        assertEquals("Running", vmi.path("status").path("phase").asText(), "a paused VMI is Running with Paused True, as in KubeVirt");
        putSubresource(Api.SUB + "default/virtualmachineinstances/vm-paused/unpause");
        Waits.until("vm-paused Running after unpause", Duration.ofSeconds(60), () -> "Running".equals(printable("vm-paused")));
        try (Api.Stream console = api.stream("vm-paused", "console")) {
            console.awaitLogin(Duration.ofSeconds(120));
        }
        deleteVm("vm-paused");
    }

    @Test
    void stopWithGracePeriodZeroEndsAGuestThatIgnoresThePowerButton() throws Exception {
        // a paused guest never reacts to ACPI, so only the shortened grace period can end it before 600 s
        jvirt.kubectlWithInput(variant("vm-grace", "Halted").replace("terminationGracePeriodSeconds: 0", "terminationGracePeriodSeconds: 600"),
                "apply", "-f", "-");
        Waits.until("vm-grace Stopped", Duration.ofSeconds(30), () -> "Stopped".equals(printable("vm-grace")));
        Path paused = Files.writeString(jvirt.home().resolve("paused.json"), "{\"paused\":true}");
        jvirt.kubectl("replace", "--raw", START.formatted("vm-grace"), "-f", paused.toString());
        Waits.until("vm-grace Paused", Duration.ofSeconds(120), () -> "Paused".equals(printable("vm-grace")));
        ProcessHandle qemu = qemuOf(api.vmi("vm-grace").path("metadata").path("uid").asText());
        Path force = Files.writeString(jvirt.home().resolve("force.json"), "{\"gracePeriod\":0}");
        Instant asked = Instant.now();
        jvirt.kubectl("replace", "--raw", Api.SUB + "default/virtualmachines/vm-grace/stop", "-f", force.toString());
        Waits.until("QEMU of vm-grace gone", Duration.ofSeconds(60), () -> !qemu.isAlive());
        assertTrue(Duration.between(asked, Instant.now()).toSeconds() < 60, "well within the VMI's own 600 s");
        Waits.until("vm-grace Stopped", Duration.ofSeconds(60), () -> "Stopped".equals(printable("vm-grace")));
        jvirt.kubectl("delete", "vm", "vm-grace");
    }

    @Test
    void replicaSetOfThreeScalesToOneAndReplacesADeletedVmi() throws Exception {
        jvirt.kubectl("apply", "-f", JvirtUp.EXAMPLES.resolve("vmi-replicaset-cirros.yaml").toString());
        Waits.until("3 Running VMIs", Duration.ofSeconds(180), () -> runningReplicas().size() == 3);
        Set<String> three = runningReplicas();
        jvirt.kubectl("scale", "vmirs", "vmi-replicaset-cirros", "--replicas=1");
        Set<String> one = Waits.until("1 VMI left", Duration.ofSeconds(60), () -> {
            Set<String> now = replicaNames();
            return now.size() == 1 ? now : null;
        });
        assertTrue(three.containsAll(one), "the one kept is one of the three: " + three + " " + one);
        String survivor = one.iterator().next();
        jvirt.kubectl("delete", "vmi", survivor, "--wait=false");
        Set<String> replaced = Waits.until("a replacement Running", Duration.ofSeconds(120), () -> {
            Set<String> now = runningReplicas();
            return now.size() == 1 && !now.contains(survivor) ? now : null;
        });
        assertEquals(1, replaced.size());
        assertTrue(jvirt.kubectl("get", "vmirs", "vmi-replicaset-cirros", "-o", "jsonpath={.status.readyReplicas}").strip().equals("1"));
        jvirt.kubectl("delete", "vmirs", "vmi-replicaset-cirros");
        Waits.until("replica set's VMIs gone", Duration.ofSeconds(60), () -> replicaNames().isEmpty());
    }

    @Test
    void alwaysRestartsAfterQemuIsKilledWithin30Seconds() throws Exception {
        applyVariant("vm-always", "Always");
        String uid = runningVmiUid("vm-always");
        ProcessHandle qemu = qemuOf(uid);
        try (VmiWatch phases = VmiWatch.of(jvirt, "vm-always")) {
            Instant killed = Instant.now();
            Guests.kill9(qemu);
            String next = Waits.until("a new VMI Running", Duration.ofSeconds(30), () -> {
                JsonNode v = api.vmi("vm-always");
                return v != null && !uid.equals(v.path("metadata").path("uid").asText())
                        && "Running".equals(v.path("status").path("phase").asText()) ? v.path("metadata").path("uid").asText() : null;
            });
            assertTrue(Duration.between(killed, Instant.now()).toSeconds() <= 30);
            assertTrue(phases.lines().contains(uid + " Failed"), "the killed VMI went Failed: " + phases.lines());
            assertNotEquals(uid, next);
        }
        deleteVm("vm-always");
    }

    @Test
    void rerunOnFailureStaysStoppedAfterGuestPoweroff() throws Exception {
        applyVariant("vm-rerun", "RerunOnFailure");
        String uid = runningVmiUid("vm-rerun");
        try (Api.Stream console = api.stream("vm-rerun", "console")) {
            console.login(Duration.ofSeconds(120));
            console.send("poweroff\r");
            Waits.until("vm-rerun Stopped", Duration.ofSeconds(90), () -> "Stopped".equals(printable("vm-rerun")));
        }
        assertStaysWithoutNewVmi("vm-rerun", uid);
        deleteVm("vm-rerun");
    }

    @Test
    void onceIsNeverRestarted() throws Exception {
        applyVariant("vm-once", "Once");
        String uid = runningVmiUid("vm-once");
        Guests.kill9(qemuOf(uid));
        Waits.until("vm-once's VMI Failed", Duration.ofSeconds(60), () -> {
            JsonNode v = api.vmi("vm-once");
            return v == null || "Failed".equals(v.path("status").path("phase").asText());
        });
        assertStaysWithoutNewVmi("vm-once", uid);
        deleteVm("vm-once");
    }

    @Test
    void tooMuchMemoryIsErrorUnschedulableAndDuplicateDisksAre422() throws Exception {
        String huge = variant("vm-huge", "Always").replace("guest: 128Mi", "guest: 64Ti");
        jvirt.kubectlWithInput(huge, "apply", "-f", "-");
        JsonNode vm = Waits.until("vm-huge ErrorUnschedulable", Duration.ofSeconds(60), () -> {
            JsonNode v = api.vm("vm-huge");
            return "ErrorUnschedulable".equals(v.path("status").path("printableStatus").asText()) ? v : null;
        });
        JsonNode vmi = api.vmi("vm-huge");
        assertNotNull(vmi);
        String why = vmi.path("status").path("conditions").toString();
        assertTrue(why.contains("Insufficient memory"), why);
        assertTrue(jvirt.kubectl("get", "vm", "vm-huge").contains("ErrorUnschedulable"));
        assertNotNull(vm);
        deleteVm("vm-huge");

        String twoDisks = variant("vm-twins", "Halted").replace("- name: cloudinitdisk\n              disk:", "- name: containerdisk\n              disk:");
        assertNotEquals(variant("vm-twins", "Halted"), twoDisks, "the second disk was renamed");
        JvirtUp.Result r = kubectlApply(twoDisks);
        assertNotEquals(0, r.exit());
        assertTrue(r.out().contains("is invalid") && r.out().contains("must not have the same Name"), r.out());
        assertNull(api.vm("vm-twins"), "nothing stored");

        String both = variant("vm-both", "Halted").replace("runStrategy: Halted", "runStrategy: Halted\n  running: false");
        JvirtUp.Result exclusive = kubectlApply(both);
        assertNotEquals(0, exclusive.exit());
        assertTrue(exclusive.out().contains("Running and RunStrategy are mutually exclusive"), exclusive.out());
        assertNull(api.vm("vm-both"), "nothing stored");
    }

    @Test
    void kubeVirtCrIsDeployedAndItsConfigurationAppliesToTheNextVmi() throws Exception {
        String nodes = jvirt.kubectl("get", "nodes");
        assertTrue(nodes.matches("(?s).*\\sReady\\s.*"), "kubectl get nodes prints Ready as with kube-apiserver: " + nodes);
        Waits.until("KubeVirt CR Deployed", Duration.ofSeconds(30),
                () -> "Deployed".equals(jvirt.kubectl("get", "kubevirt", "kubevirt", "-n", "kubevirt", "-o", "jsonpath={.status.phase}").strip()));
        jvirt.kubectl("patch", "kubevirt", "kubevirt", "-n", "kubevirt", "--type", "merge", "-p",
                "{\"spec\":{\"configuration\":{\"developerConfiguration\":{\"useEmulation\":true,\"cpuAllocationRatio\":4}}}}");
        try {
            Thread.sleep(1000); // informers in the controller and the node agent see the change
            applyVariant("vm-config", "Always");
            String uid = runningVmiUid("vm-config");
            JsonNode pod = api.get("/api/v1/namespaces/default/pods?labelSelector=kubevirt.io%2Fcreated-by%3D" + uid).path("items").get(0);
            assertEquals("250m", pod.path("spec").path("containers").get(0).path("resources").path("requests").path("cpu").asText(),
                    "1 vCPU at cpuAllocationRatio 4");
            String emulation = api.vmi("vm-config").path("status").path("conditions").toString();
            assertTrue(emulation.contains("useEmulation is set in the KubeVirt CR"), emulation);
            deleteVm("vm-config");
        } finally {
            jvirt.kubectl("patch", "kubevirt", "kubevirt", "-n", "kubevirt", "--type", "merge", "-p",
                    "{\"spec\":{\"configuration\":{\"developerConfiguration\":{\"useEmulation\":null,\"cpuAllocationRatio\":null}}}}");
        }
    }

    private JvirtUp.Result kubectlApply(String manifest) throws Exception {
        Path file = Files.writeString(Files.createTempFile(jvirt.home(), "manifest", ".yaml"), manifest);
        return jvirt.kubectlResult("apply", "-f", file.toString());
    }

    private static void assertStaysWithoutNewVmi(String vm, String oldUid) throws Exception {
        Instant until = Instant.now().plusSeconds(15);
        while (Instant.now().isBefore(until)) {
            JsonNode v = api.vmi(vm);
            assertTrue(v == null || oldUid.equals(v.path("metadata").path("uid").asText()), vm + " was restarted: " + v);
            Thread.sleep(500);
        }
        assertEquals("Stopped", printable(vm));
    }

    private static String variant(String name, String runStrategy) throws Exception {
        return Files.readString(JvirtUp.EXAMPLES.resolve("vm-cirros.yaml")).replace("vm-cirros", name)
                .replace("runStrategy: Halted", "runStrategy: " + runStrategy);
    }

    private static void applyVariant(String name, String runStrategy) throws Exception {
        jvirt.kubectlWithInput(variant(name, runStrategy), "apply", "-f", "-");
    }

    private static String runningVmiUid(String vm) throws Exception {
        return Waits.until(vm + "'s VMI Running", Duration.ofSeconds(120), () -> {
            JsonNode v = api.vmi(vm);
            return v != null && "Running".equals(v.path("status").path("phase").asText()) ? v.path("metadata").path("uid").asText() : null;
        });
    }

    private static ProcessHandle qemuOf(String vmiUid) throws Exception {
        return Guests.qemuOf(api, vmiUid);
    }

    private static void deleteVm(String name) throws Exception {
        jvirt.kubectl("delete", "vm", name);
        Waits.until(name + "'s VMI gone", Duration.ofSeconds(60), () -> api.vmi(name) == null);
    }

    private static Set<String> replicaNames() throws Exception {
        Set<String> names = new TreeSet<>();
        for (JsonNode v : api.get("/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances?labelSelector="
                + "kubevirt.io%2FvmReplicaSet%3Dvmi-replicaset-cirros").path("items")) {
            names.add(v.path("metadata").path("name").asText());
        }
        return names;
    }

    private static Set<String> runningReplicas() throws Exception {
        Set<String> names = new TreeSet<>();
        for (JsonNode v : api.get("/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances?labelSelector="
                + "kubevirt.io%2FvmReplicaSet%3Dvmi-replicaset-cirros").path("items")) {
            if ("Running".equals(v.path("status").path("phase").asText()) && v.path("metadata").path("deletionTimestamp").isMissingNode()) {
                names.add(v.path("metadata").path("name").asText());
            }
        }
        return names;
    }

    private static String printable(String vm) throws Exception {
        JsonNode v = api.vm(vm);
        return v == null ? null : v.path("status").path("printableStatus").asText();
    }

    static String condition(JsonNode vmi, String type) {
        for (JsonNode c : vmi.path("status").path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return c.path("status").asText();
            }
        }
        return null;
    }

    private static void putSubresource(String path) throws Exception {
        jvirt.kubectl("replace", "--raw", path, "-f", emptyBody().toString());
    }

    private static Path emptyBody() throws Exception {
        Path empty = jvirt.home().resolve("empty.json");
        if (!Files.exists(empty)) {
            Files.writeString(empty, "");
        }
        return empty;
    }

    /** {@code kubectl get --watch} printing one line per change, read on a thread; lines are kept in order. */
    static class KubectlWatch implements AutoCloseable {
        private final Process process;
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        KubectlWatch(JvirtUp jvirt, String... args) throws Exception {
            List<String> argv = new ArrayList<>(List.of("kubectl", "--kubeconfig", jvirt.kubeconfig().toString(), "get", "--watch"));
            argv.addAll(List.of(args));
            process = new ProcessBuilder(argv).redirectErrorStream(true).start();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line.strip());
                    }
                } catch (java.io.IOException ignored) {
                    // the watch was closed
                }
            });
            Waits.until("kubectl watch started", Duration.ofSeconds(30), () -> !lines.isEmpty());
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        /** Lines in order with repeats of the previous line dropped. */
        List<String> distinct() {
            List<String> out = new ArrayList<>();
            for (String l : lines()) {
                if (!l.isEmpty() && (out.isEmpty() || !out.getLast().equals(l))) {
                    out.add(l);
                }
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The printableStatus of one VM, one line per change. */
    static final class StatusWatch extends KubectlWatch {
        private StatusWatch(JvirtUp jvirt, String vm) throws Exception {
            super(jvirt, "vm", vm, "-o", "jsonpath={.status.printableStatus}{\"\\n\"}");
        }

        static StatusWatch of(JvirtUp jvirt, String vm) throws Exception {
            return new StatusWatch(jvirt, vm);
        }
    }

    /** uid and phase of the VMIs of one name, one line per change (VMIs come and go). */
    static final class VmiWatch extends KubectlWatch {
        private VmiWatch(JvirtUp jvirt, String name) throws Exception {
            super(jvirt, "vmi", "--field-selector=metadata.name=" + name, "-o",
                    "jsonpath={.metadata.uid} {.status.phase}{\"\\n\"}");
        }

        static VmiWatch of(JvirtUp jvirt, String name) throws Exception {
            return new VmiWatch(jvirt, name);
        }
    }
}

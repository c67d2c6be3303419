package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.api.auth.ComponentIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a node runs is the control plane's to decide: with the real kubectl, an {@code edit} user (and
 * the admin) cannot create launcher pods, pods bound to a node, bind pods, or change or delete launcher
 * pods (403 Forbidden with the reason), while the controller, the scheduler, the node agent and the
 * garbage collector still can.
 */
class LauncherPodRestrictionIT {
    private static final String VMI_UID = "11111111-2222-4333-8444-555555555555";
    private static RunningServer server;
    private static Kubectl editor;
    private static Kubectl admin;
    private static Kubectl controller;
    private static Kubectl scheduler;
    private static Kubectl nodeAgent;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        Path cache = Files.createDirectories(server.dir.resolve("kubectl-cache"));
        editor = new Kubectl(server.kubeconfigFor("editor", "edit"), cache);
        admin = new Kubectl(server.kubeconfig(), cache);
        controller = new Kubectl(component(ComponentIdentity.CONTROLLER), cache);
        scheduler = new Kubectl(component(ComponentIdentity.SCHEDULER), cache);
        nodeAgent = new Kubectl(component(ComponentIdentity.NODE_AGENT), cache);
    }

    private static Path component(ComponentIdentity c) throws Exception {
        Path file = server.dir.resolve(c.name() + ".kubeconfig");
        server.server.writeKubeconfig(file, c);
        return file;
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** A pod manifest: {@code labels} and {@code extraMeta} JSON fragments (may be empty), {@code nodeName} or none. */
    private static String pod(String name, String labels, String extraMeta, String nodeName) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{" + labels + "}" + extraMeta + "},"
                + "\"spec\":{" + (nodeName.isEmpty() ? "" : "\"nodeName\":\"" + nodeName + "\",")
                + "\"containers\":[{\"name\":\"compute\",\"image\":\"x\",\"command\":[\"/bin/sh\",\"-c\",\"id > /tmp/owned\"]}]}}";
    }

    private static final String LAUNCHER_LABEL = "\"kubevirt.io\":\"virt-launcher\"";
    private static final String VMI_OWNER = ",\"ownerReferences\":[{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\","
            + "\"name\":\"v\",\"uid\":\"" + VMI_UID + "\",\"controller\":true}]";

    @ParameterizedTest(name = "[{index}] {0} as {1}")
    @CsvSource({
        "launcher label,           editor, launcher pods",
        "VMI owner reference,      editor, launcher pods",
        "nodeName,                 editor, spec.nodeName is set by the scheduler only",
        "launcher label,           admin,  launcher pods",
        "nodeName,                 admin,  spec.nodeName is set by the scheduler only",
    })
    void creatingWhatANodeWouldRunIsForbidden(String variant, String who, String reason) throws Exception {
        String manifest = switch (variant) {
            case "launcher label" -> pod("evil-label", LAUNCHER_LABEL, "", "");
            case "VMI owner reference" -> pod("evil-owner", "", VMI_OWNER, "");
            case "nodeName" -> pod("evil-node", "", "", "node1");
            default -> throw new IllegalArgumentException(variant);
        };
        Kubectl.Result r = (who.equals("admin") ? admin : editor).run(60, manifest, "create", "-f", "-");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("(Forbidden)") && r.err().contains("is forbidden") && r.err().contains(reason), r.all());
    }

    @Test
    void bindingAPodIsTheSchedulersAlone() throws Exception {
        assertEquals(0, editor.run(60, pod("plain", "\"app\":\"x\"", "", ""), "create", "-f", "-").exit(), "an unbound ordinary pod is fine");
        Path binding = Files.writeString(server.dir.resolve("binding.json"),
                "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"plain\"},\"target\":{\"kind\":\"Node\",\"name\":\"node1\"}}");
        Kubectl.Result r = editor.run("create", "--raw", "/api/v1/namespaces/default/pods/plain/binding", "-f", binding.toString());
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.all().contains("forbidden") && r.all().contains("pods/binding"), r.all());
        Kubectl.Result patch = editor.run("patch", "pod", "plain", "--type=merge", "-p", "{\"metadata\":{\"labels\":{\"kubevirt.io\":\"virt-launcher\"}}}");
        assertEquals(1, patch.exit(), "a pod is not turned into a launcher pod either: " + patch.all());
        assertEquals(0, scheduler.run("create", "--raw", "/api/v1/namespaces/default/pods/plain/binding", "-f", binding.toString()).exit());
        assertEquals("node1", admin.run("get", "pod", "plain", "-o", "jsonpath={.spec.nodeName}").out());
    }

    @Test
    void launcherPodsAreTheControlPlanesToChangeAndDelete() throws Exception {
        String vmi = "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"v\"},"
                + "\"spec\":{\"domain\":{\"devices\":{},\"resources\":{\"requests\":{\"memory\":\"64Mi\"}}}}}";
        Kubectl.Result made = admin.run(60, vmi, "create", "-f", "-", "-o", "jsonpath={.metadata.uid}");
        assertEquals(0, made.exit(), made.all());
        String owner = VMI_OWNER.replace(VMI_UID, made.out().strip());
        Kubectl.Result created = controller.run(60, pod("virt-launcher-v-abcde", LAUNCHER_LABEL, owner, ""), "create", "-f", "-");
        assertEquals(0, created.exit(), "the controller makes launcher pods: " + created.all());
        assertEquals(0, nodeAgent.run("patch", "pod", "virt-launcher-v-abcde", "--type=merge", "-p",
                "{\"metadata\":{\"finalizers\":[\"test.jvirt.io/held\"]}}").exit(), "the node agent holds its pod with a finalizer");
        assertEquals(0, nodeAgent.run("patch", "pod", "virt-launcher-v-abcde", "--type=merge", "-p", "{\"metadata\":{\"finalizers\":null}}").exit());

        for (String[] args : new String[][] {
            {"label", "pod", "virt-launcher-v-abcde", "x=y"},
            {"patch", "pod", "virt-launcher-v-abcde", "--type=merge", "-p", "{\"spec\":{\"containers\":[{\"name\":\"compute\",\"image\":\"y\"}]}}"},
            {"patch", "pod", "virt-launcher-v-abcde", "--subresource=status", "--type=merge", "-p", "{\"status\":{\"phase\":\"Running\"}}"},
            {"delete", "pod", "virt-launcher-v-abcde", "--wait=false"},
        }) {
            for (Kubectl user : new Kubectl[] {editor, admin}) {
                Kubectl.Result r = user.run(args);
                assertEquals(1, r.exit(), String.join(" ", args) + ": " + r.all());
                // the edit role holds no pods/status, so RBAC answers that one before admission does
                boolean byRbac = user == editor && String.join(" ", args).contains("--subresource=status");
                assertTrue(r.err().contains("(Forbidden)") && (byRbac || r.err().contains("launcher pods")), String.join(" ", args) + ": " + r.all());
            }
        }
        assertEquals(0, nodeAgent.run("patch", "pod", "virt-launcher-v-abcde", "--subresource=status", "--type=merge", "-p",
                "{\"status\":{\"phase\":\"Running\"}}").exit(), "the node agent reports the pod's status");

        assertEquals(0, admin.run("delete", "vmi", "v", "--wait=false").exit());
        long deadline = System.currentTimeMillis() + 30_000;
        while (admin.run("get", "pod", "virt-launcher-v-abcde").exit() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        Kubectl.Result gone = admin.run("get", "pod", "virt-launcher-v-abcde");
        assertTrue(gone.exit() == 1 && gone.err().contains("NotFound"), "the garbage collector deletes the VMI's launcher pod: " + gone.all());
    }
}

package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's isolation acceptance through {@code ./jvirt up}, the stock kubectl and {@code ./virtctl}: an
 * {@code edit} user made by {@code ./jvirt kubeconfig alice edit --namespace a} works in {@code a} and gets 403
 * on namespace {@code b}'s VMs, VMIs, console, VNC and Secrets and on the system Secrets (the node relay's);
 * {@code kubectl auth can-i} answers the same; the control plane's own identities lack what their roles do not
 * grant, yet run a VM end to end (controller, scheduler and node agent each with its own token).
 */
class NamespaceIsolationIT {
    private static JvirtUp jvirt;
    private static Path alice;

    @BeforeAll
    static void up() throws Exception {
        jvirt = JvirtUp.start();
        JvirtUp.Result made = jvirt.jvirt("kubeconfig", "alice", "edit", "--namespace", "a");
        assertEquals(0, made.exit(), made.out());
        alice = Files.writeString(jvirt.home().resolve("alice.kubeconfig"), made.out());
        jvirt.kubectl("create", "namespace", "b");
        String manifest = Files.readString(JvirtUp.EXAMPLES.resolve("vm-cirros.yaml"));
        jvirt.kubectlWithInput(manifest.replace("vm-cirros", "vm-b").replace("runStrategy: Halted", "runStrategy: Always"), "-n", "b", "apply", "-f", "-");
        jvirt.kubectl("-n", "b", "create", "secret", "generic", "b-secret", "--from-literal=password=hunter2");
        Waits.until("vm-b Running in namespace b (controller, scheduler and node agent with their own tokens)", Duration.ofSeconds(240),
                () -> jvirt.kubectl("-n", "b", "get", "vmi", "vm-b", "-o", "jsonpath={.status.phase}").equals("Running"));
    }

    @AfterAll
    static void down() throws Exception {
        if (jvirt != null) jvirt.close();
    }

    private static JvirtUp.Result run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new JvirtUp.Result(p.exitValue(), out);
    }

    private static JvirtUp.Result kubectl(Path kubeconfig, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", jvirt.home().resolve("cache-" + kubeconfig.getFileName()).toString()));
        argv.addAll(List.of(args));
        return run(argv.toArray(String[]::new));
    }

    private static JvirtUp.Result virtctl(Path kubeconfig, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(JvirtUp.ROOT.resolve("virtctl").toString(), "--kubeconfig", kubeconfig.toString()));
        argv.addAll(List.of(args));
        return run(argv.toArray(String[]::new));
    }

    private static void forbidden(JvirtUp.Result r) {
        assertTrue(r.exit() != 0 && r.out().contains("forbidden"), r.out());
    }

    private static String canI(Path kubeconfig, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("auth", "can-i"));
        argv.addAll(List.of(args));
        return kubectl(kubeconfig, argv.toArray(String[]::new)).out().strip();
    }

    @Test
    void anEditUserOfNamespaceAWorksThere() throws Exception {
        JvirtUp.Result cm = kubectl(alice, "create", "configmap", "mine");
        assertEquals(0, cm.exit(), cm.out());
        assertTrue(kubectl(alice, "get", "configmaps").out().contains("mine"), "the kubeconfig's namespace is a");
        assertEquals("yes", canI(alice, "create", "virtualmachines"));
        assertEquals("yes", canI(alice, "get", "virtualmachineinstances.subresources.kubevirt.io", "--subresource=console"));
    }

    @Test
    void anEditUserOfNamespaceAGets403OnNamespaceB() throws Exception {
        forbidden(kubectl(alice, "-n", "b", "get", "vm"));
        forbidden(kubectl(alice, "-n", "b", "get", "vmi", "vm-b"));
        forbidden(kubectl(alice, "-n", "b", "delete", "vm", "vm-b"));
        forbidden(kubectl(alice, "-n", "b", "get", "secret", "b-secret"));
        forbidden(kubectl(alice, "-n", "b", "get", "secrets"));
        forbidden(virtctl(alice, "-n", "b", "console", "vm-b"));
        forbidden(virtctl(alice, "-n", "b", "vnc", "screenshot", "vm-b", "--file", jvirt.home().resolve("stolen.png").toString()));
        forbidden(virtctl(alice, "-n", "b", "stop", "vm-b"));
        assertTrue(Files.notExists(jvirt.home().resolve("stolen.png")));
        assertEquals("no", canI(alice, "create", "virtualmachines", "-n", "b"));
        assertEquals("no", canI(alice, "get", "virtualmachineinstances.subresources.kubevirt.io", "--subresource=console", "-n", "b"));
        assertEquals("Running", jvirt.kubectl("-n", "b", "get", "vmi", "vm-b", "-o", "jsonpath={.status.phase}"), "vm-b untouched");
    }

    @Test
    void systemSecretsAreOutOfReachOfEditAndViewUsers() throws Exception {
        String node = jvirt.kubectl("get", "nodes", "-o", "jsonpath={.items[0].metadata.name}");
        String relaySecret = "jvirt-handler-" + node;
        jvirt.kubectl("-n", "kube-system", "get", "secret", relaySecret); // it exists
        forbidden(kubectl(alice, "-n", "kube-system", "get", "secret", relaySecret));
        forbidden(kubectl(alice, "get", "secrets", "--all-namespaces"));
        JvirtUp.Result everywhere = jvirt.jvirt("kubeconfig", "ed", "edit");
        assertEquals(0, everywhere.exit(), everywhere.out());
        Path ed = Files.writeString(jvirt.home().resolve("ed.kubeconfig"), everywhere.out());
        assertEquals(0, kubectl(ed, "-n", "b", "get", "secret", "b-secret").exit(), "a cluster-wide edit user reads user Secrets");
        forbidden(kubectl(ed, "-n", "kube-system", "get", "secret", relaySecret));
        forbidden(kubectl(ed, "-n", "kube-system", "patch", "secret", relaySecret, "--type=merge", "-p", "{\"data\":{}}"));
        forbidden(kubectl(ed, "-n", "kube-node-lease", "delete", "lease", node));
        forbidden(kubectl(ed, "-n", "kubevirt", "delete", "kubevirt", "kubevirt"));
        assertEquals("no", canI(ed, "get", "secrets", "-n", "kube-system"));
        assertEquals("yes", canI(jvirt.kubeconfig(), "get", "secrets", "-n", "kube-system"), "the admin may");
    }

    @Test
    void componentIdentitiesHoldOnlyTheirRoles() throws Exception {
        Path handler = jvirt.home().resolve("components/node-agent.kubeconfig");
        Path controller = jvirt.home().resolve("components/controller.kubeconfig");
        Path scheduler = jvirt.home().resolve("components/scheduler.kubeconfig");
        forbidden(kubectl(handler, "-n", "b", "run", "sneaky", "--image=busybox"));
        forbidden(kubectl(handler, "-n", "b", "get", "secret", "b-secret"));
        forbidden(kubectl(controller, "-n", "kube-system", "get", "secrets"));
        forbidden(kubectl(scheduler, "-n", "b", "delete", "vmi", "vm-b"));
        assertEquals("yes", canI(handler, "patch", "virtualmachineinstances", "--subresource=status", "-n", "b"));
        assertEquals("no", canI(scheduler, "patch", "virtualmachineinstances", "--subresource=status", "-n", "b"));
        assertEquals("yes", canI(scheduler, "create", "pods", "--subresource=binding", "-n", "b"));
        assertEquals("no", canI(controller, "create", "pods", "--subresource=binding", "-n", "b"));
    }
}

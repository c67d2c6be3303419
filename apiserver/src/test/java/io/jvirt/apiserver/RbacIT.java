package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.apiserver.rbac.RequestAttributes;
import io.jvirt.apiserver.security.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RBAC against the real server with the stock kubectl: the bootstrap roles are served and aggregated,
 * bindings grant where they should and nowhere else, system Secrets stay out of reach of edit and view,
 * {@code kubectl auth can-i} answers with the same engine, and each component holds only its own rights.
 */
class RbacIT {
    static RunningServer server;
    static Kubectl admin;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        admin = new Kubectl(server.kubeconfig(), server.dir.resolve("cache-admin"));
        http = Http.admin(server);
        for (String ns : List.of("a", "b")) ok(admin.run("create", "namespace", ns));
        ok(admin.run("-n", "b", "create", "secret", "generic", "b-secret", "--from-literal=k=v"));
        ok(admin.run("-n", "kube-system", "create", "secret", "generic", "jvirt-handler-node1", "--from-literal=token=t"));
        ok(admin.run("-n", "b", "create", "configmap", "b-config"));
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> errors = List.copyOf(server.internalErrors);
        server.close();
        assertEquals(List.of(), errors, "no request may end in a 500");
    }

    private static Kubectl.Result ok(Kubectl.Result r) {
        assertEquals(0, r.exit(), r.all());
        return r;
    }

    private static void forbidden(Kubectl.Result r) {
        assertTrue(r.exit() != 0 && r.err().contains("forbidden"), r.all());
    }

    private static Kubectl as(String user, String role, String namespace) throws Exception {
        Path kc = server.kubeconfigFor(user, role, namespace);
        return new Kubectl(kc, server.dir.resolve("cache-" + user));
    }

    @Test
    void bootstrapRolesAreServedAndKubevirtRulesAggregateIntoEditAndView() throws Exception {
        String roles = ok(admin.run("get", "clusterroles", "-o", "name")).out();
        for (String r : List.of("cluster-admin", "admin", "edit", "view", "kubevirt.io:admin", "kubevirt.io:edit", "kubevirt.io:view")) {
            assertTrue(roles.contains("clusterrole.rbac.authorization.k8s.io/" + r + "\n"), r + " in\n" + roles);
        }
        JsonNode edit = http.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/edit").body();
        assertTrue(edit.path("rules").toString().contains("virtualmachineinstances/console"), edit.toString());
        assertFalse(edit.path("rules").toString().contains("virtualmachineinstances/status"), edit.toString());
        JsonNode view = http.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/view").body();
        assertFalse(view.path("rules").toString().contains("\"secrets\""), view.toString());
        String described = ok(admin.run("describe", "clusterrole", "kubevirt.io:view")).out();
        assertTrue(described.contains("virtualmachines.kubevirt.io"), described);
    }

    @Test
    void aNewLabelledClusterRoleIsAggregatedAndRemovedAgain() throws Exception {
        String role = """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: widgets-view
                  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
                rules:
                - {apiGroups: [example.com], resources: [widgets], verbs: [get, list, watch]}
                """;
        ok(admin.run(60, role, "apply", "-f", "-"));
        awaitViewRules(true);
        ok(admin.run("delete", "clusterrole", "widgets-view"));
        awaitViewRules(false);
    }

    private static void awaitViewRules(boolean withWidgets) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            String rules = http.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/view").body().path("rules").toString();
            if (rules.contains("widgets") == withWidgets) return;
            assertTrue(Instant.now().isBefore(deadline), "view rules did not " + (withWidgets ? "gain" : "lose") + " widgets: " + rules);
            Thread.sleep(50);
        }
    }

    @Test
    void editBoundInNamespaceAIsForbiddenInBAndFromSystemSecrets() throws Exception {
        Kubectl alice = as("alice", "edit", "a");
        ok(alice.run("-n", "a", "create", "configmap", "mine"));
        ok(alice.run("-n", "a", "get", "secrets"));
        forbidden(alice.run("-n", "b", "get", "configmaps"));
        forbidden(alice.run("-n", "b", "get", "secret", "b-secret"));
        forbidden(alice.run("-n", "b", "delete", "configmap", "b-config"));
        forbidden(alice.run("-n", "kube-system", "get", "secret", "jvirt-handler-node1"));
        forbidden(alice.run("get", "secrets", "--all-namespaces"));
        forbidden(alice.run("get", "nodes"));
        Kubectl.Result denied = alice.run("-n", "b", "get", "virtualmachines");
        assertTrue(denied.err().contains("User \"alice\" cannot list resource \"virtualmachines\" in API group \"kubevirt.io\" in the namespace \"b\""), denied.all());
        Http aliceHttp = http.withToken(server.server.tokens().tokenFor("alice").orElseThrow());
        String console = "/apis/subresources.kubevirt.io/v1/namespaces/%s/virtualmachineinstances/vm/console";
        assertEquals(403, aliceHttp.get(console.formatted("b")).code(), "another namespace's console");
        assertEquals(404, aliceHttp.get(console.formatted("a")).code(), "her own namespace: authorized (no such VMI)");
        assertEquals("yes", alice.run("auth", "can-i", "create", "configmaps", "-n", "a").out().strip());
        assertEquals("no", alice.run("auth", "can-i", "create", "configmaps", "-n", "b").out().strip());
        assertEquals("no", alice.run("auth", "can-i", "get", "secrets", "-n", "kube-system").out().strip());
        assertEquals("yes", alice.run("auth", "can-i", "get", "virtualmachineinstances.subresources.kubevirt.io", "--subresource=console", "-n", "a").out().strip());
        assertEquals("no", alice.run("auth", "can-i", "get", "virtualmachineinstances.subresources.kubevirt.io", "--subresource=console", "-n", "b").out().strip());
    }

    @Test
    void clusterWideEditAndViewDoNotReachSystemSecretsKubeVirtLeasesOrStatus() throws Exception {
        Kubectl ed = as("ed", "edit", null);
        ok(ed.run("-n", "b", "get", "secret", "b-secret"));
        forbidden(ed.run("-n", "kube-system", "get", "secret", "jvirt-handler-node1"));
        forbidden(ed.run("-n", "kube-system", "get", "secrets"));
        forbidden(ed.run("get", "secrets", "-A"));
        forbidden(ed.run("-n", "kube-system", "patch", "secret", "jvirt-handler-node1", "--type=merge", "-p", "{\"data\":{}}"));
        forbidden(ed.run("-n", "kube-node-lease", "create", "configmap", "x"));
        Http edHttp = http.withToken(server.server.tokens().tokenFor("ed").orElseThrow());
        assertEquals(403, edHttp.patch("/apis/kubevirt.io/v1/namespaces/kubevirt/kubevirts/kubevirt",
                "application/merge-patch+json", "{\"spec\":{}}").code(), "no KubeVirt CR writes");
        assertEquals(403, edHttp.patch("/apis/kubevirt.io/v1/namespaces/b/virtualmachineinstances/x/status",
                "application/merge-patch+json", "{\"status\":{\"phase\":\"Running\"}}").code());
        assertEquals("no", ed.run("auth", "can-i", "patch", "leases", "-n", "kube-node-lease").out().strip());
        JsonNode rules = edHttp.post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\",\"spec\":{\"namespace\":\"kube-system\"}}").body();
        assertTrue(rules.path("status").path("incomplete").asBoolean(), "the guard narrows edit's rules in kube-system: " + rules);

        Kubectl vera = as("vera", "view", null);
        ok(vera.run("-n", "b", "get", "configmaps"));
        forbidden(vera.run("-n", "b", "get", "secrets"));
        forbidden(vera.run("-n", "b", "create", "configmap", "nope"));
        assertEquals("no", vera.run("auth", "can-i", "create", "virtualmachines", "-n", "b").out().strip());
        assertEquals("yes", vera.run("auth", "can-i", "list", "virtualmachines", "-n", "b").out().strip());
        assertEquals("yes", admin.run("auth", "can-i", "create", "virtualmachines", "-n", "b").out().strip());
        assertEquals("yes", admin.run("auth", "can-i", "*", "*").out().strip());
    }

    @Test
    void bindingsMadeWithKubectlGrantAtOnce() throws Exception {
        Kubectl bob = as("bob", "view", "b");
        forbidden(bob.run("-n", "a", "get", "configmaps"));
        ok(admin.run("-n", "a", "create", "rolebinding", "bob-edit", "--clusterrole=edit", "--user=bob"));
        ok(bob.run("-n", "a", "create", "configmap", "by-bob"));
        ok(admin.run("-n", "a", "create", "role", "pod-reader", "--verb=get,list", "--resource=pods"));
        String listed = ok(admin.run("-n", "a", "get", "rolebindings,roles")).out();
        assertTrue(listed.contains("bob-edit") && listed.contains("pod-reader"), listed);
        ok(admin.run("-n", "a", "delete", "rolebinding", "bob-edit"));
        forbidden(bob.run("-n", "a", "create", "configmap", "by-bob-again"));
        String rules = ok(bob.run("auth", "can-i", "--list", "-n", "b")).out();
        assertTrue(rules.contains("virtualmachines.kubevirt.io"), rules);
    }

    @Test
    void aNamespaceAdminCannotGrantMoreThanItHolds() throws Exception {
        Kubectl nadia = as("nadia", "admin", "a");
        ok(nadia.run("-n", "a", "create", "rolebinding", "friend-view", "--clusterrole=view", "--user=friend"));
        Kubectl.Result escalate = nadia.run("-n", "a", "create", "rolebinding", "self-cluster-admin", "--clusterrole=cluster-admin", "--user=nadia");
        assertTrue(escalate.exit() != 0 && escalate.err().contains("is attempting to grant RBAC permissions not currently held"), escalate.all());
        Kubectl.Result role = nadia.run("-n", "a", "create", "role", "status-writer", "--verb=patch",
                "--resource=virtualmachineinstances.kubevirt.io/status");
        assertTrue(role.exit() != 0 && role.err().contains("forbidden"), role.all());
        ok(nadia.run("-n", "a", "create", "role", "vm-reader", "--verb=get", "--resource=virtualmachines.kubevirt.io"));
        forbidden(nadia.run("-n", "b", "create", "rolebinding", "friend-view", "--clusterrole=view", "--user=friend"));
    }

    static Stream<Arguments> components() {
        String vmiStatus = "virtualmachineinstances";
        return Stream.of(
                Arguments.of(ComponentIdentity.NODE_AGENT, "patch", "kubevirt.io", vmiStatus, "status", "a", true),
                Arguments.of(ComponentIdentity.NODE_AGENT, "get", "", "pods", "", "a", true),
                Arguments.of(ComponentIdentity.NODE_AGENT, "get", "k8s.cni.cncf.io", "network-attachment-definitions", "", "a", true),
                Arguments.of(ComponentIdentity.NODE_AGENT, "create", "k8s.cni.cncf.io", "network-attachment-definitions", "", "a", false),
                Arguments.of(ComponentIdentity.NODE_AGENT, "create", "", "pods", "", "a", false),
                Arguments.of(ComponentIdentity.NODE_AGENT, "delete", "kubevirt.io", vmiStatus, "", "a", false),
                Arguments.of(ComponentIdentity.NODE_AGENT, "get", "", "secrets", "", "b", false),
                Arguments.of(ComponentIdentity.NODE_AGENT, "update", "", "secrets", "", "kube-system", true),
                Arguments.of(ComponentIdentity.NODE_AGENT, "update", "coordination.k8s.io", "leases", "", "kube-node-lease", true),
                Arguments.of(ComponentIdentity.NODE_AGENT, "create", "", "pods", "binding", "a", false),
                Arguments.of(ComponentIdentity.CONTROLLER, "create", "", "pods", "", "a", true),
                Arguments.of(ComponentIdentity.CONTROLLER, "update", "kubevirt.io", vmiStatus, "status", "a", true),
                Arguments.of(ComponentIdentity.CONTROLLER, "create", "", "pods", "binding", "a", false),
                Arguments.of(ComponentIdentity.CONTROLLER, "get", "", "secrets", "", "kube-system", false),
                Arguments.of(ComponentIdentity.CONTROLLER, "update", "kubevirt.io", "kubevirts", "status", "kubevirt", true),
                Arguments.of(ComponentIdentity.SCHEDULER, "create", "", "pods", "binding", "a", true),
                Arguments.of(ComponentIdentity.SCHEDULER, "list", "", "nodes", "", "", true),
                Arguments.of(ComponentIdentity.SCHEDULER, "delete", "", "pods", "", "a", false),
                Arguments.of(ComponentIdentity.SCHEDULER, "update", "kubevirt.io", vmiStatus, "status", "a", false));
    }

    @ParameterizedTest(name = "{0} {1} {3}/{4} in {5}: {6}")
    @MethodSource("components")
    void aComponentHoldsOnlyItsRights(ComponentIdentity c, String verb, String group, String resource, String sub, String ns,
                                      boolean allowed) throws Exception {
        Path file = server.dir.resolve(c.name() + ".kubeconfig");
        server.server.writeKubeconfig(file, c);
        User user = server.server.tokens().authenticate(server.server.tokens().tokenFor(c.userName()).orElseThrow()).orElseThrow();
        assertEquals(allowed, server.server.authorizer().authorize(RequestAttributes.resource(user, verb, group, resource, sub, ns, "x")));
    }

    @Test
    void theNodeAgentIsDeniedPodCreationOverTheWire() throws Exception {
        Path file = server.dir.resolve("handler.kubeconfig");
        server.server.writeKubeconfig(file, ComponentIdentity.NODE_AGENT);
        Kubectl handler = new Kubectl(file, server.dir.resolve("cache-handler"));
        forbidden(handler.run("-n", "a", "run", "x", "--image=busybox"));
        forbidden(handler.run("-n", "b", "get", "secrets"));
        ok(handler.run("get", "pods", "-A"));
    }

    @Test
    void theNodeAgentGetsOnlyTheSecretsAndConfigMapsAVmiNames() throws Exception {
        for (String secret : new String[] {"pull-creds", "kernel-creds", "other", "volume-secret", "user-data", "network-data"}) {
            ok(admin.run("-n", "b", "create", "secret", "generic", secret, "--from-literal=x=1"));
        }
        ok(admin.run("-n", "b", "create", "configmap", "volume-config", "--from-literal=x=1"));
        ok(admin.run("-n", "b", "create", "configmap", "other-config", "--from-literal=x=1"));
        Path vmi = server.dir.resolve("vmi-private.yaml");
        Files.writeString(vmi, """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata: {name: private}
                spec:
                  domain:
                    devices: {}
                    memory: {guest: 128Mi}
                    firmware:
                      kernelBoot:
                        container: {image: "registry.example/kernel:1", imagePullSecret: kernel-creds, kernelPath: /boot/vmlinuz}
                  volumes:
                  - name: root
                    containerDisk: {image: "registry.example/disk:1", imagePullSecret: pull-creds}
                  - name: cfg
                    configMap: {name: volume-config}
                  - name: sec
                    secret: {secretName: volume-secret}
                  - name: ci
                    cloudInitNoCloud: {secretRef: {name: user-data}, networkDataSecretRef: {name: network-data}}
                """);
        ok(admin.run("-n", "b", "apply", "-f", vmi.toString()));
        Path file = server.dir.resolve("handler-secrets.kubeconfig");
        server.server.writeKubeconfig(file, ComponentIdentity.NODE_AGENT);
        Kubectl handler = new Kubectl(file, server.dir.resolve("cache-handler-secrets"));
        ok(handler.run("-n", "b", "get", "secret", "pull-creds"));
        ok(handler.run("-n", "b", "get", "secret", "kernel-creds"));
        ok(handler.run("-n", "b", "get", "secret", "volume-secret"));
        ok(handler.run("-n", "b", "get", "secret", "user-data"));
        ok(handler.run("-n", "b", "get", "secret", "network-data"));
        ok(handler.run("-n", "b", "get", "configmap", "volume-config"));
        forbidden(handler.run("-n", "b", "get", "configmap", "other-config"));
        forbidden(handler.run("-n", "b", "get", "secret", "volume-config"));
        forbidden(handler.run("-n", "b", "get", "configmap", "volume-secret"));
        forbidden(handler.run("-n", "b", "get", "configmaps"));
        forbidden(handler.run("-n", "b", "get", "secret", "other"));
        forbidden(handler.run("-n", "a", "get", "secret", "pull-creds"));
        forbidden(handler.run("-n", "b", "get", "secrets"));
        forbidden(handler.run("-n", "b", "delete", "secret", "pull-creds"));
    }

    /**
     * {@code kubectl create token}: a TokenRequest answered with a token that authenticates as the ServiceAccount (its
     * rights are RBAC's: none here, so 403 naming it), too short a duration refused as kube-apiserver does, and the token
     * dead once the ServiceAccount is gone. The node agent may ask a token only for a ServiceAccount a VMI's
     * {@code serviceAccount} volume names.
     */
    @Test
    void serviceAccountTokensAuthenticateWhileTheAccountExists() throws Exception {
        ok(admin.run("-n", "a", "create", "serviceaccount", "robot"));
        String token = ok(admin.run("-n", "a", "create", "token", "robot")).out().strip();
        Kubectl robot = new Kubectl(server.kubeconfig(), server.dir.resolve("cache-robot"));
        Kubectl.Result asRobot = robot.run("--token=" + token, "-n", "a", "get", "pods");
        assertTrue(asRobot.exit() != 0 && asRobot.err().contains("User \"system:serviceaccount:a:robot\" cannot list resource \"pods\""), asRobot.all());
        ok(admin.run("-n", "a", "create", "rolebinding", "robot-view", "--clusterrole=view", "--serviceaccount=a:robot"));
        ok(robot.run("--token=" + token, "-n", "a", "get", "pods"));
        Kubectl.Result tooShort = admin.run("-n", "a", "create", "token", "robot", "--duration=5m");
        assertTrue(tooShort.exit() != 0 && tooShort.err().contains("may not specify a duration less than 10 minutes"), tooShort.all());
        Kubectl.Result none = admin.run("-n", "a", "create", "token", "nobody");
        assertTrue(none.exit() != 0 && none.err().contains("serviceaccounts \"nobody\" not found"), none.all());
        Kubectl.Result forged = robot.run("--token=" + token.substring(0, token.length() - 2) + "xx", "-n", "a", "get", "pods");
        assertTrue(forged.exit() != 0 && forged.err().contains("Unauthorized"), forged.all());

        ok(admin.run("-n", "a", "delete", "serviceaccount", "robot"));
        Kubectl.Result gone = robot.run("--token=" + token, "-n", "a", "get", "pods");
        assertTrue(gone.exit() != 0 && gone.err().contains("Unauthorized"), gone.all());
        ok(admin.run("-n", "a", "create", "serviceaccount", "robot"));
        Kubectl.Result recreated = robot.run("--token=" + token, "-n", "a", "get", "pods");
        assertTrue(recreated.exit() != 0 && recreated.err().contains("Unauthorized"), "a new account of the same name is another uid: " + recreated.all());

        ok(admin.run("-n", "b", "create", "serviceaccount", "app"));
        ok(admin.run("-n", "b", "create", "serviceaccount", "other"));
        Path vmi = server.dir.resolve("vmi-sa.yaml");
        Files.writeString(vmi, """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata: {name: with-sa}
                spec:
                  domain:
                    devices: {}
                    memory: {guest: 128Mi}
                  volumes:
                  - name: sa
                    serviceAccount: {serviceAccountName: app}
                """);
        ok(admin.run("-n", "b", "apply", "-f", vmi.toString()));
        Path file = server.dir.resolve("handler-sa.kubeconfig");
        server.server.writeKubeconfig(file, ComponentIdentity.NODE_AGENT);
        Kubectl handler = new Kubectl(file, server.dir.resolve("cache-handler-sa"));
        ok(handler.run("-n", "b", "create", "token", "app"));
        forbidden(handler.run("-n", "b", "create", "token", "other"));
        forbidden(handler.run("-n", "a", "create", "token", "robot"));
        forbidden(handler.run("-n", "b", "get", "serviceaccount", "app", "-o", "name"));
    }

    static Stream<Arguments> adminRequests() {
        return Stream.of(
                Arguments.of(RequestAttributes.resource(null, "get", "", "secrets", "", "kube-system", "jvirt-handler-node1")),
                Arguments.of(RequestAttributes.resource(null, "list", "", "secrets", "", "", "")),
                Arguments.of(RequestAttributes.resource(null, "patch", "kubevirt.io", "virtualmachineinstances", "status", "a", "v")),
                Arguments.of(RequestAttributes.resource(null, "get", "subresources.kubevirt.io", "virtualmachineinstances", "console", "b", "v")),
                Arguments.of(RequestAttributes.resource(null, "create", "", "pods", "binding", "a", "p")),
                Arguments.of(RequestAttributes.resource(null, "deletecollection", "x.io", "foos", "", "", "")),
                Arguments.of(RequestAttributes.nonResource(null, "get", "/metrics")));
    }

    @ParameterizedTest
    @MethodSource("adminRequests")
    void theAdminFastPathEqualsThePolicysAnswer(RequestAttributes template) throws Exception {
        User adminUser = server.server.tokens().authenticate(server.adminToken()).orElseThrow();
        RequestAttributes a = new RequestAttributes(adminUser, template.verb(), template.resourceRequest(), template.apiGroup(),
                template.resource(), template.subresource(), template.namespace(), template.name(), template.path());
        assertTrue(server.server.authorizer().authorize(a));
        assertTrue(server.server.authorizer().authorizeByPolicy(a), "the policy alone grants system:masters the same");
    }
}

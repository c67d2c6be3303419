package io.jvirt.controller;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.api.v1.Finalizers;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jvirt.apiserver.ApiServer;
import io.jvirt.controller.vm.CrashLoopBackoff;
import io.jvirt.store.SqliteStore;
import io.jvirt.store.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Test fixture: the real embedded API server (SQLite store in a temp directory, HTTPS on a loopback
 * port), a fabric8 client from the admin kubeconfig it writes, the real kubectl, and the controllers
 * under test ({@link ControlPlane}) started against it. The nodes run nothing; as their node agent, the fixture lets a
 * deleted launcher pod go at once (removes {@link Finalizers#LAUNCHER_POD}, as the agent does after teardown) unless
 * its node is in {@link #agentsDown}. {@link #close} stops all and deletes the directory.
 */
final class EmbeddedCluster implements AutoCloseable {
    final Path dir;
    final SqliteStore store;
    final ApiServer server;
    final KubernetesClient client;
    /** As virt-controller, the scheduler and the node agent: the identities allowed to make, bind and hold launcher pods. */
    final KubernetesClient controller;
    final KubernetesClient scheduler;
    final KubernetesClient nodeAgent;
    final Kubectl kubectl;
    ControlPlane controllers;
    /** Nodes whose node agent is down: their deleted launcher pods keep the finalizer. */
    final java.util.Set<String> agentsDown = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private io.fabric8.kubernetes.client.informers.SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> podTeardown;

    private EmbeddedCluster(Path dir, SqliteStore store, ApiServer server, KubernetesClient client) throws IOException {
        this.dir = dir;
        this.store = store;
        this.server = server;
        this.client = client;
        this.controller = component(server, dir, ComponentIdentity.CONTROLLER);
        this.scheduler = component(server, dir, ComponentIdentity.SCHEDULER);
        this.nodeAgent = component(server, dir, ComponentIdentity.NODE_AGENT);
        this.kubectl = new Kubectl(dir.resolve("kubeconfig"), dir);
    }

    static EmbeddedCluster start(CrashLoopBackoff crashLoop) throws Exception {
        return start(crashLoop, null);
    }

    /** As {@link #start(CrashLoopBackoff)}, with the local-path provisioner and DataVolume controller over {@code volumes} (unless null). */
    static EmbeddedCluster start(CrashLoopBackoff crashLoop, Path volumes) throws Exception {
        return start(crashLoop, volumes, io.jvirt.registry.RegistryConfig.DEFAULT);
    }

    /** As {@link #start(CrashLoopBackoff, Path)}, DataVolume {@code registry} sources pulled with {@code registries}. */
    static EmbeddedCluster start(CrashLoopBackoff crashLoop, Path volumes, io.jvirt.registry.RegistryConfig registries) throws Exception {
        Path dir = Files.createTempDirectory("jvirt-controller-it");
        SqliteStore store = SqliteStore.open(StoreConfig.defaults(dir.resolve("objects.db")));
        ApiServer server = ApiServer.start(new ApiServer.Config(dir, "127.0.0.1", 0), store);
        Path kubeconfig = dir.resolve("kubeconfig");
        server.writeKubeconfig(kubeconfig, "admin");
        KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
        EmbeddedCluster c = new EmbeddedCluster(dir, store, server, client);
        c.podTeardown = c.nodeAgent.pods().inAnyNamespace().inform(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
            public void onAdd(io.fabric8.kubernetes.api.model.Pod pod) {
                c.tornDown(pod);
            }

            public void onUpdate(io.fabric8.kubernetes.api.model.Pod old, io.fabric8.kubernetes.api.model.Pod pod) {
                c.tornDown(pod);
            }

            public void onDelete(io.fabric8.kubernetes.api.model.Pod pod, boolean unknown) {
            }
        });
        c.controllers = ControlPlane.start(c.controller, c.scheduler, new ControlPlane.Options(true, crashLoop, ControlPlane.Options.EMBEDDED.workers(), volumes, registries),
                Clock.systemUTC());
        return c;
    }

    private static KubernetesClient component(ApiServer server, Path dir, ComponentIdentity c) throws IOException {
        Path file = dir.resolve(c.name() + ".kubeconfig");
        server.writeKubeconfig(file, c);
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(file))).build();
    }

    /** The node agent's last step for a deleted pod bound to a node whose agent runs: its finalizer goes. */
    private void tornDown(io.fabric8.kubernetes.api.model.Pod pod) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (pod.getMetadata().getDeletionTimestamp() == null || node == null || agentsDown.contains(node)
                || pod.getMetadata().getFinalizers() == null || !pod.getMetadata().getFinalizers().contains(Finalizers.LAUNCHER_POD)) {
            return;
        }
        java.util.List<String> rest = pod.getMetadata().getFinalizers().stream().filter(f -> !Finalizers.LAUNCHER_POD.equals(f)).toList();
        try {
            nodeAgent.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), nodeAgent.getKubernetesSerialization().asJson(Map.of("metadata",
                            Map.of("finalizers", rest, "resourceVersion", pod.getMetadata().getResourceVersion()))));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 409) throw e; // 409: a newer version comes through the informer
        }
    }

    /** Registers a Ready node with this capacity (= allocatable), as a node agent would. */
    Node addNode(String name, String cpu, String memory, Map<String, String> labels) {
        Node node = new NodeBuilder()
                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewStatus()
                .withCapacity(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory), "pods", new Quantity("110")))
                .withAllocatable(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory), "pods", new Quantity("110")))
                .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady").withMessage("jvirt node agent is posting ready status").endCondition()
                .endStatus()
                .build();
        return client.nodes().resource(node).create();
    }

    /**
     * A merge patch of a VMI's status in namespace default, as the node agent sends it. Retried on 409:
     * the embedded API server currently answers 409 to a PATCH without resourceVersion that races
     * another write (kube-apiserver retries such a patch itself), and the controllers write the same
     * VMI concurrently.
     */
    void patchVmiStatus(String vmi, String json) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.genericKubernetesResources(VmLifecycleIT.VMI_CTX).inNamespace("default").withName(vmi).subresource("status")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), json);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 10) throw e;
            }
        }
    }

    /** Polls {@code read} every 50 ms until {@code done} holds; fails with the last value after {@code timeout}. */
    static <T> T await(Duration timeout, String what, Supplier<T> read, Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        RuntimeException lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                last = read.get();
                lastError = null;
                if (done.test(last)) return last;
            } catch (RuntimeException e) {
                lastError = e;
            }
            Thread.sleep(50);
        }
        AssertionError e = new AssertionError("timed out after " + timeout + " waiting for " + what + "; last seen: " + last);
        if (lastError != null) e.initCause(lastError);
        throw e;
    }

    @Override
    public void close() throws IOException {
        if (controllers != null) controllers.close();
        if (podTeardown != null) podTeardown.close();
        client.close();
        controller.close();
        scheduler.close();
        nodeAgent.close();
        server.close();
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

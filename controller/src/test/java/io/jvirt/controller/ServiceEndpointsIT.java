package io.jvirt.controller;

import static io.jvirt.controller.EmbeddedCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jvirt.controller.vm.CrashLoopBackoff;
import io.jvirt.controller.vmi.LauncherPod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Service selecting a VM's labels (as {@code virtctl expose vm} writes it) gets EndpointSlices and Endpoints with
 * the launcher pod's address once the node reports one, follows its readiness, and loses them with the Service;
 * read back with the real kubectl from the real embedded API server.
 */
class ServiceEndpointsIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    static EmbeddedCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedCluster.start(CrashLoopBackoff.DEFAULT);
        cluster.addNode("node-1", "4", "2Gi", Map.of("kubernetes.io/hostname", "node-1"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    static String kubectl(String... args) {
        try {
            return cluster.kubectl.ok(args).strip();
        } catch (Exception | AssertionError e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aServiceOnTheVmsLabelsFollowsItsLauncherPod() throws Exception {
        kubectl("apply", "-f", VmLifecycleIT.EXAMPLES.resolve("vm-cirros.yaml").toString());
        kubectl("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Always\"}}");
        Pod launcher = await(WAIT, "the launcher pod bound to node-1", () -> cluster.client.pods().inNamespace("default")
                .withLabel(LauncherPod.DOMAIN, "vm-cirros").list().getItems().stream()
                .filter(p -> "node-1".equals(p.getSpec().getNodeName())).findFirst().orElse(null), p -> p != null);

        Path svc = cluster.dir.resolve("svc.yaml");
        Files.writeString(svc, """
                apiVersion: v1
                kind: Service
                metadata:
                  name: vm-cirros-http
                  namespace: default
                spec:
                  selector:
                    kubevirt.io/vm: vm-cirros
                  ports:
                  - port: 8080
                    targetPort: 80
                """);
        kubectl("apply", "-f", svc.toString());
        String slices = "-l" + "kubernetes.io/service-name=vm-cirros-http";
        await(WAIT, "an Endpoints object without addresses", () -> kubectl("get", "endpoints", "vm-cirros-http", "-o", "name"),
                "endpoints/vm-cirros-http"::equals);
        assertEquals("", kubectl("get", "endpointslices", slices, "-o", "name"), "no address yet: no slice");

        reportPod(launcher, "10.128.7.9", "True");
        await(WAIT, "the pod's address in the slice", () -> kubectl("get", "endpointslices", slices, "-o",
                "jsonpath={.items[*].endpoints[*].addresses[0]} {.items[*].endpoints[*].conditions.ready} {.items[*].ports[*].port}"),
                "10.128.7.9 true 80"::equals);
        await(WAIT, "the pod's address in Endpoints", () -> kubectl("get", "endpoints", "vm-cirros-http", "-o",
                "jsonpath={.subsets[*].addresses[*].ip}:{.subsets[*].ports[*].port} {.subsets[*].addresses[*].targetRef.name}"),
                ("10.128.7.9:80 " + launcher.getMetadata().getName())::equals);

        reportPod(launcher, "10.128.7.9", "False");
        await(WAIT, "the slice to say not ready", () -> kubectl("get", "endpointslices", slices, "-o",
                "jsonpath={.items[*].endpoints[*].conditions.ready}"), "false"::equals);
        await(WAIT, "Endpoints to list it as not ready", () -> kubectl("get", "endpoints", "vm-cirros-http", "-o",
                "jsonpath={.subsets[*].notReadyAddresses[*].ip}"), "10.128.7.9"::equals);

        kubectl("delete", "service", "vm-cirros-http");
        await(WAIT, "slices and Endpoints to go with the Service", () -> kubectl("get", "endpointslices,endpoints", slices, "-o", "name")
                + kubectl("get", "endpoints", "--field-selector", "metadata.name=vm-cirros-http", "-o", "name"), ""::equals);
        kubectl("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Halted\"}}");
    }

    /** The pod status a node agent writes once the pod's network is up. */
    private static void reportPod(Pod pod, String ip, String ready) {
        String now = java.time.Instant.now().toString();
        String json = "{\"status\":{\"phase\":\"Running\",\"podIP\":\"" + ip + "\",\"podIPs\":[{\"ip\":\"" + ip + "\"}],\"conditions\":["
                + "{\"type\":\"Ready\",\"status\":\"" + ready + "\",\"lastTransitionTime\":\"" + now + "\"}]}}";
        cluster.nodeAgent.pods().inNamespace("default").withName(pod.getMetadata().getName()).subresource("status")
                .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), json);
    }
}

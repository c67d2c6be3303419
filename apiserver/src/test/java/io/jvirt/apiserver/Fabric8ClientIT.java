package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fabric8 calls jvirt's controllers make, against the real server: typed core objects and generic VMs. */
class Fabric8ClientIT {
    static RunningServer server;
    static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build();
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> errors = List.copyOf(server.internalErrors);
        client.close();
        server.close();
        assertEquals(List.of(), errors, "no request may end in a 500");
    }

    static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> vms() {
        return client.genericKubernetesResources("kubevirt.io/v1", "VirtualMachine").inNamespace("default");
    }

    static GenericKubernetesResource vm(String name) {
        GenericKubernetesResource vm = new GenericKubernetesResource();
        vm.setApiVersion("kubevirt.io/v1");
        vm.setKind("VirtualMachine");
        vm.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withLabels(Map.of("app", name)).build());
        vm.setAdditionalProperty("spec", Map.of("runStrategy", "Halted", "template", Map.of("spec", Map.of("domain", Map.of("devices", Map.of(), "memory", Map.of("guest", "64Mi"))))));
        return vm;
    }

    @Test
    void typedCoreObjects() {
        ConfigMap cm = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("f8").endMetadata()
                .addToData("a", "1").build()).create();
        assertFalse(cm.getMetadata().getUid().isEmpty());
        ConfigMap edited = client.configMaps().inNamespace("default").withName("f8").edit(c -> new ConfigMapBuilder(c).addToData("b", "2").build());
        assertEquals(Map.of("a", "1", "b", "2"), edited.getData());
        ConfigMap stale = new ConfigMapBuilder(cm).addToData("c", "3").build();
        KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> client.configMaps().inNamespace("default").resource(stale).update());
        assertEquals(409, e.getCode());
        assertEquals("Conflict", e.getStatus().getReason());
        List<StatusDetails> deleted = client.configMaps().inNamespace("default").withName("f8").delete();
        assertEquals(1, deleted.size());
        assertNull(client.configMaps().inNamespace("default").withName("f8").get());
    }

    @Test
    void genericVirtualMachines() throws Exception {
        vms().resource(vm("f8-vm")).create();
        assertEquals(1, vms().withLabel("app", "f8-vm").list().getItems().size());
        vms().withName("f8-vm").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"runStrategy\":\"Always\"}}");
        GenericKubernetesResource live = vms().withName("f8-vm").get();
        assertEquals("Always", ((Map<?, ?>) live.getAdditionalProperties().get("spec")).get("runStrategy"));
        live.setAdditionalProperty("status", Map.of("printableStatus", "Starting", "conditions", List.of(Map.of("type", "Ready", "status", "True"))));
        vms().resource(live).updateStatus();
        GenericKubernetesResource ready = vms().withName("f8-vm").waitUntilCondition(o -> o != null && o.getAdditionalProperties().get("status") instanceof Map<?, ?> s
                && "Starting".equals(s.get("printableStatus")), 10, TimeUnit.SECONDS);
        assertEquals(2L, ready.getMetadata().getGeneration(), "create = 1, the spec patch bumps it, the status update does not");
        GenericKubernetesResource applied = vm("f8-vm");
        applied.setAdditionalProperty("spec", Map.of("runStrategy", "Manual", "template", Map.of("spec", Map.of("domain", Map.of("devices", Map.of(), "memory", Map.of("guest", "64Mi"))))));
        applied.getMetadata().setLabels(Map.of("app", "f8-vm", "applied", "yes"));
        vms().resource(applied).forceConflicts().serverSideApply();
        GenericKubernetesResource afterApply = vms().withName("f8-vm").get();
        assertEquals("Manual", ((Map<?, ?>) afterApply.getAdditionalProperties().get("spec")).get("runStrategy"));
        assertEquals("yes", afterApply.getMetadata().getLabels().get("applied"));
        assertEquals("Starting", ((Map<?, ?>) afterApply.getAdditionalProperties().get("status")).get("printableStatus"), "apply keeps status");

        List<String> seen = new CopyOnWriteArrayList<>();
        Watch watch = vms().withName("f8-vm").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource resource) {
                seen.add(action.name());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        try {
            vms().withName("f8-vm").delete();
            long deadline = System.currentTimeMillis() + 20_000;
            while (!seen.contains("DELETED") && System.currentTimeMillis() < deadline) Thread.sleep(50);
            assertTrue(seen.contains("DELETED"), seen.toString());
        } finally {
            watch.close();
        }
        assertNull(vms().withName("f8-vm").get());
    }
}

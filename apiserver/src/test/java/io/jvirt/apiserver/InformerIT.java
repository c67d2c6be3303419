package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.store.ObjectKey;
import io.jvirt.store.Preconditions;
import io.jvirt.store.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A fabric8 SharedIndexInformer on VirtualMachines (WebSocket watch, as fabric8 does by default)
 * keeps every add/update/delete across server restarts: first a restart it resumes from its
 * resourceVersion, then a restart after changes made while it was away and compacted out of the
 * event log, which forces a 410 Expired and a relist.
 */
class InformerIT {
    static final ResourceDefinitionContext VMS = new ResourceDefinitionContext.Builder()
            .withGroup("kubevirt.io").withVersion("v1").withKind("VirtualMachine").withPlural("virtualmachines").withNamespaced(true).build();

    static String vm(String name, String runStrategy) {
        return "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\"},"
                + "\"spec\":{\"runStrategy\":\"" + runStrategy + "\",\"template\":{\"spec\":{\"domain\":{\"devices\":{},\"memory\":{\"guest\":\"64Mi\"}}}}}}";
    }

    @Test
    void informerSeesEveryChangeAcrossRestarts() throws Exception {
        Path dir = Files.createTempDirectory("jvirt-informer-it");
        StoreConfig config = StoreConfig.defaults(dir.resolve("objects.db")).withEventLogRetention(3).withCompactionInterval(Duration.ZERO);
        try (RunningServer server = RunningServer.start(dir, config);
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build()) {
            Http http = Http.admin(server);
            List<String> events = new CopyOnWriteArrayList<>();
            SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(VMS).inNamespace("default")
                    .inform(new ResourceEventHandler<>() {
                        @Override
                        public void onAdd(GenericKubernetesResource o) {
                            events.add("ADD " + o.getMetadata().getName() + " " + runStrategy(o));
                        }

                        @Override
                        public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource o) {
                            events.add("UPDATE " + o.getMetadata().getName() + " " + runStrategy(o));
                        }

                        @Override
                        public void onDelete(GenericKubernetesResource o, boolean finalStateUnknown) {
                            events.add("DELETE " + o.getMetadata().getName());
                        }
                    }, 0);
            try {
                assertEquals(201, http.post("/apis/kubevirt.io/v1/namespaces/default/virtualmachines", vm("vm-a", "Halted")).code());
                assertEquals(201, http.post("/apis/kubevirt.io/v1/namespaces/default/virtualmachines", vm("vm-b", "Halted")).code());
                client.genericKubernetesResources(VMS).inNamespace("default").withName("vm-a")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"runStrategy\":\"Always\"}}");
                await(() -> events.containsAll(List.of("ADD vm-a Halted", "ADD vm-b Halted", "UPDATE vm-a Always")), events);

                server.restart();
                assertEquals(201, http.post("/apis/kubevirt.io/v1/namespaces/default/virtualmachines", vm("vm-c", "Manual")).code());
                assertEquals(200, http.delete("/apis/kubevirt.io/v1/namespaces/default/virtualmachines/vm-b", null).code());
                await(() -> events.containsAll(List.of("ADD vm-c Manual", "DELETE vm-b")), events);

                long seenByInformer = Long.parseLong(informer.lastSyncResourceVersion());
                server.restartWith(store -> {
                    ObjectKey a = new ObjectKey("kubevirt.io", "virtualmachines", "default", "vm-a");
                    var live = store.get(a).orElseThrow();
                    for (String strategy : List.of("Manual", "RerunOnFailure", "Once", "Halted")) {
                        String json = new String(store.get(a).orElseThrow().json(), StandardCharsets.UTF_8)
                                .replaceAll("\"runStrategy\":\"[A-Za-z]+\"", "\"runStrategy\":\"" + strategy + "\"");
                        store.update(a, json.getBytes(StandardCharsets.UTF_8), Preconditions.NONE);
                    }
                    store.delete(new ObjectKey("kubevirt.io", "virtualmachines", "default", "vm-c"), Preconditions.NONE);
                    String d = vm("vm-d", "Always").replace("\"namespace\":\"default\"",
                            "\"namespace\":\"default\",\"uid\":\"0b9c8a44-0000-4000-8000-00000000000d\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\",\"generation\":1");
                    store.create(new ObjectKey("kubevirt.io", "virtualmachines", "default", "vm-d"), d.getBytes(StandardCharsets.UTF_8));
                    store.compact();
                    assertTrue(store.oldestWatchableResourceVersion() > seenByInformer + 1,
                            "the informer's resourceVersion " + seenByInformer + " must be compacted away (oldest " + store.oldestWatchableResourceVersion() + ")");
                    assertTrue(live.resourceVersion() > 0);
                });
                await(() -> events.containsAll(List.of("UPDATE vm-a Halted", "DELETE vm-c", "ADD vm-d Always")), events);

                assertEquals(201, http.post("/apis/kubevirt.io/v1/namespaces/default/virtualmachines", vm("vm-e", "Always")).code());
                await(() -> events.contains("ADD vm-e Always"), events);
                Map<String, String> cached = new TreeMap<>();
                informer.getStore().list().forEach(o -> cached.put(o.getMetadata().getName(), runStrategy(o)));
                assertEquals(Map.of("vm-a", "Halted", "vm-d", "Always", "vm-e", "Always"), cached);
                Set<String> served = new TreeSet<>();
                http.get("/apis/kubevirt.io/v1/namespaces/default/virtualmachines").body().path("items")
                        .forEach(i -> served.add(i.path("metadata").path("name").asText()));
                assertEquals(cached.keySet(), served);
            } finally {
                informer.close();
            }
        }
    }

    static String runStrategy(GenericKubernetesResource o) {
        Object spec = o.getAdditionalProperties().get("spec");
        return spec instanceof Map<?, ?> m ? String.valueOf(m.get("runStrategy")) : "?";
    }

    static void await(BooleanSupplier condition, List<String> events) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(100);
        }
        throw new AssertionError("informer events so far: " + events.stream().collect(Collectors.joining(", ")));
    }
}

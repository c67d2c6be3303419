package io.jvirt.apiserver.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.store.KeyPrefix;
import io.jvirt.store.ListOptions;
import io.jvirt.store.Preconditions;
import io.jvirt.store.StoreException;
import io.jvirt.store.StoredObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * ownerReferences garbage collection, namespace cleanup and finalizer-driven deletion
 * (foregroundDeletion, orphan), after Kubernetes' garbage collector. Work runs on one background
 * thread in submission order; {@link #sweep()} at start repairs what a crash left behind.
 * Thread-safe.
 */
public final class GarbageCollector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GarbageCollector.class.getName());
    private static final WriteOptions GC = WriteOptions.internal("garbage-collector");
    private final ObjectService service;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jvirt-gc");
        t.setDaemon(true);
        return t;
    });

    public GarbageCollector(ObjectService service) {
        this.service = service;
        service.attach(this);
    }

    private void submit(Runnable task) {
        if (worker.isShutdown()) return;
        worker.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "garbage collection step failed", e);
            }
        });
    }

    /** One type per resource (the storage version), for scanning. */
    private List<ResourceType> resources() {
        Map<String, ResourceType> byResource = new LinkedHashMap<>();
        for (ResourceType t : service.registry().all()) {
            byResource.merge(t.group() + "/" + t.plural(), t, (a, b) -> a.version().equals(a.storageVersion()) ? a : b);
        }
        return new ArrayList<>(byResource.values());
    }

    private record Dependent(ResourceType type, ObjectNode object) {}

    private List<Dependent> dependents(JsonNode owner) {
        String uid = owner.path("metadata").path("uid").asText();
        String ns = owner.path("metadata").path("namespace").asText(null);
        List<Dependent> out = new ArrayList<>();
        for (ResourceType t : resources()) {
            if (ns != null && !t.namespaced()) continue;
            KeyPrefix prefix = t.keyPrefix(ns);
            for (StoredObject o : service.store().list(prefix, ListOptions.ALL.withFilter(s -> owns(uid, s))).items()) {
                out.add(new Dependent(t, ObjectService.present(t, o)));
            }
        }
        return out;
    }

    private static boolean owns(String uid, StoredObject s) {
        String json = s.jsonString();
        if (!json.contains(uid)) return false;
        for (JsonNode ref : ObjectService.parse(s).path("metadata").path("ownerReferences")) {
            if (uid.equals(ref.path("uid").asText())) return true;
        }
        return false;
    }

    /** After {@code gone} left the store: delete its dependents (and a namespace's contents), re-check its owners. */
    void deleted(ResourceType type, ObjectNode gone) {
        submit(() -> {
            for (Dependent d : dependents(gone)) deleteQuietly(d.type(), d.object(), "Background");
            if (type.group().isEmpty() && type.plural().equals("namespaces")) {
                String ns = gone.path("metadata").path("name").asText();
                for (ResourceType t : resources()) {
                    if (!t.namespaced()) continue;
                    for (StoredObject o : service.store().list(t.keyPrefix(ns), ListOptions.ALL).items()) {
                        try {
                            service.store().delete(o.key(), Preconditions.NONE);
                        } catch (StoreException.NotFound ignored) {
                            // already gone
                        }
                    }
                }
            }
            recheckOwners(gone);
        });
    }

    /**
     * {@code created} names owners: when none of them exists (by kind, name and uid; a kind this server does not
     * serve counts as existing), it is deleted like the dependent of a deleted owner, as Kubernetes' collector
     * deletes a dependent whose owners are all absent.
     */
    void created(ResourceType type, ObjectNode created) {
        submit(() -> {
            String ns = created.path("metadata").path("namespace").asText(null);
            for (JsonNode ref : created.path("metadata").path("ownerReferences")) {
                var ownerType = service.registry().findKind(ref.path("apiVersion").asText(), ref.path("kind").asText());
                if (ownerType.isEmpty()) return;
                ResourceType t = ownerType.get();
                try {
                    ObjectNode owner = service.get(t, t.namespaced() ? ns : null, ref.path("name").asText());
                    if (owner.path("metadata").path("uid").asText().equals(ref.path("uid").asText())) return;
                } catch (ApiException e) {
                    if (e.code() != 404) return;
                }
            }
            deleteQuietly(type, created, "Background");
        });
    }

    private void recheckOwners(ObjectNode dependent) {
        String ns = dependent.path("metadata").path("namespace").asText(null);
        for (JsonNode ref : dependent.path("metadata").path("ownerReferences")) {
            service.registry().findKind(ref.path("apiVersion").asText(), ref.path("kind").asText()).ifPresent(t -> {
                try {
                    ObjectNode owner = service.get(t, t.namespaced() ? ns : null, ref.path("name").asText());
                    if (owner.path("metadata").has("deletionTimestamp")) pending(t, owner);
                } catch (ApiException e) {
                    // owner already gone
                }
            });
        }
    }

    /** {@code object} has a deletionTimestamp: drive its foregroundDeletion / orphan finalizers. */
    void pending(ResourceType type, ObjectNode object) {
        submit(() -> {
            JsonNode finalizers = object.path("metadata").path("finalizers");
            if (ObjectMeta.contains(finalizers, "orphan")) {
                orphanDependents(object);
                removeFinalizer(type, object, "orphan");
                return;
            }
            if (!ObjectMeta.contains(finalizers, "foregroundDeletion")) return;
            List<Dependent> deps = dependents(object);
            if (deps.isEmpty()) {
                removeFinalizer(type, object, "foregroundDeletion");
                return;
            }
            for (Dependent d : deps) {
                if (!d.object().path("metadata").has("deletionTimestamp")) deleteQuietly(d.type(), d.object(), "Foreground");
            }
        });
    }

    private void removeFinalizer(ResourceType type, ObjectNode object, String finalizer) {
        String ns = object.path("metadata").path("namespace").asText(null);
        String name = object.path("metadata").path("name").asText();
        try {
            ObjectNode live = service.get(type, ns, name);
            ArrayNode kept = Codec.NODES.arrayNode();
            for (JsonNode f : live.path("metadata").path("finalizers")) if (!f.asText().equals(finalizer)) kept.add(f);
            ObjectNode patch = Codec.NODES.objectNode();
            patch.putObject("metadata").set("finalizers", kept);
            service.patch(type, ns, name, null, "application/merge-patch+json", Codec.toJson(patch), GC);
        } catch (ApiException e) {
            if (e.code() != 404) throw e;
        }
    }

    /** Removes {@code owner}'s ownerReferences from its dependents (Orphan propagation). Runs in the caller's thread. */
    void orphanDependents(JsonNode owner) {
        String uid = owner.path("metadata").path("uid").asText();
        for (Dependent d : dependents(owner)) {
            ArrayNode refs = Codec.NODES.arrayNode();
            for (JsonNode r : d.object().path("metadata").path("ownerReferences")) if (!uid.equals(r.path("uid").asText())) refs.add(r);
            ObjectNode patch = Codec.NODES.objectNode();
            patch.putObject("metadata").set("ownerReferences", refs);
            try {
                service.patch(d.type(), d.object().path("metadata").path("namespace").asText(null),
                        d.object().path("metadata").path("name").asText(), null, "application/merge-patch+json", Codec.toJson(patch), GC);
            } catch (ApiException e) {
                if (e.code() != 404) throw e;
            }
        }
    }

    /** A CRD was deleted: its custom resources go too, before the call returns (so a re-created CRD starts empty). */
    void crdDeleted(JsonNode crd) {
        String group = crd.path("spec").path("group").asText();
        String plural = crd.path("spec").path("names").path("plural").asText();
        for (StoredObject o : service.store().list(KeyPrefix.of(group, plural), ListOptions.ALL).items()) {
            try {
                service.store().delete(o.key(), Preconditions.NONE);
            } catch (StoreException.NotFound ignored) {
                // already gone
            }
        }
    }

    private void deleteQuietly(ResourceType type, JsonNode object, String policy) {
        try {
            service.delete(type, object.path("metadata").path("namespace").asText(null), object.path("metadata").path("name").asText(),
                    Codec.NODES.objectNode(), policy, GC);
        } catch (ApiException e) {
            if (e.code() != 404) throw e;
        }
    }

    /** Deletes objects whose owners no longer exist and resumes pending deletions (after a restart). */
    public void sweep() {
        submit(() -> {
            Set<String> uids = new HashSet<>();
            List<Dependent> all = new ArrayList<>();
            for (ResourceType t : resources()) {
                for (StoredObject o : service.store().list(t.keyPrefix(null), ListOptions.ALL).items()) {
                    ObjectNode obj = ObjectService.present(t, o);
                    uids.add(obj.path("metadata").path("uid").asText());
                    all.add(new Dependent(t, obj));
                }
            }
            for (Dependent d : all) {
                JsonNode refs = d.object().path("metadata").path("ownerReferences");
                boolean orphaned = !refs.isEmpty();
                for (JsonNode r : refs) if (uids.contains(r.path("uid").asText())) orphaned = false;
                if (orphaned) deleteQuietly(d.type(), d.object(), "Background");
                else if (d.object().path("metadata").has("deletionTimestamp")) pending(d.type(), d.object());
            }
        });
    }

    /** Waits until the queued work is done (tests), at most {@code millis}. */
    public void drain(long millis) throws InterruptedException {
        var done = new java.util.concurrent.CountDownLatch(1);
        submit(done::countDown);
        done.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}

package io.jvirt.controller.service;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.controller.reconcile.Key;
import io.jvirt.controller.reconcile.Outcome;
import io.jvirt.controller.reconcile.Reconciler;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Kubernetes' endpoints and EndpointSlice controllers for jvirt's embedded mode: the key is a Service; its
 * EndpointSlices (labelled {@code kubernetes.io/service-name}, managed by {@code endpointslice-controller.k8s.io})
 * and its Endpoints are made to match {@link EndpointPlan} over the pods in the informer (the launcher pods, which
 * carry their VMI's labels, so {@code virtctl expose} Services find their VMs). Slices no longer wanted are deleted;
 * a Service without a selector is left alone; both kinds are owned by the Service, so the garbage collector removes
 * them with it. Reads only informer caches; idempotent (writes only what differs).
 */
public final class EndpointsController implements Reconciler {
    private final KubernetesClient client;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final SharedIndexInformer<Endpoints> endpoints;

    public EndpointsController(KubernetesClient client, SharedIndexInformer<Service> services, SharedIndexInformer<Pod> pods,
                               SharedIndexInformer<EndpointSlice> slices, SharedIndexInformer<Endpoints> endpoints) {
        this.client = client;
        this.services = services;
        this.pods = pods;
        this.slices = slices;
        this.endpoints = endpoints;
    }

    @Override
    public Outcome reconcile(Key key) {
        Service service = services.getIndexer().getByKey(key.cacheKey());
        List<EndpointSlice> existing = slices.getIndexer().list().stream()
                .filter(s -> key.namespace().equals(s.getMetadata().getNamespace()))
                .filter(s -> key.name().equals(label(s, EndpointPlan.SERVICE_NAME)) && EndpointPlan.MANAGER.equals(label(s, EndpointPlan.MANAGED_BY)))
                .toList();
        if (service == null || service.getMetadata().getDeletionTimestamp() != null || !EndpointPlan.selects(service)) {
            return Outcome.DONE; // the garbage collector removes what the Service owned; no selector: the user's endpoints
        }
        List<Pod> inNamespace = pods.getIndexer().byIndex(io.fabric8.kubernetes.client.informers.cache.Cache.NAMESPACE_INDEX, key.namespace());
        Map<String, EndpointSlice> wanted = EndpointPlan.slices(service, inNamespace);
        for (EndpointSlice slice : existing) {
            if (!wanted.containsKey(slice.getMetadata().getName())) {
                client.discovery().v1().endpointSlices().inNamespace(key.namespace()).withName(slice.getMetadata().getName()).delete();
            }
        }
        for (EndpointSlice slice : wanted.values()) {
            EndpointSlice current = existing.stream().filter(s -> s.getMetadata().getName().equals(slice.getMetadata().getName())).findFirst().orElse(null);
            if (current == null) {
                client.discovery().v1().endpointSlices().inNamespace(key.namespace()).resource(slice).create();
            } else if (!Objects.equals(current.getEndpoints(), slice.getEndpoints()) || !Objects.equals(current.getPorts(), slice.getPorts())) {
                slice.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
                client.discovery().v1().endpointSlices().inNamespace(key.namespace()).resource(slice).update();
            }
        }
        Endpoints want = EndpointPlan.endpoints(service, inNamespace);
        Endpoints have = endpoints.getIndexer().getByKey(key.cacheKey());
        if (have == null) {
            client.endpoints().inNamespace(key.namespace()).resource(want).create();
        } else if (!Objects.equals(normalized(have.getSubsets()), normalized(want.getSubsets()))) {
            want.getMetadata().setResourceVersion(have.getMetadata().getResourceVersion());
            client.endpoints().inNamespace(key.namespace()).resource(want).update();
        }
        return Outcome.DONE;
    }

    /** Subsets with empty lists as absent, as they come back from the server. */
    private static List<Map<String, Object>> normalized(List<io.fabric8.kubernetes.api.model.EndpointSubset> subsets) {
        if (subsets == null) {
            return List.of();
        }
        return subsets.stream().map(s -> Map.<String, Object>of(
                "addresses", s.getAddresses() == null ? List.of() : s.getAddresses(),
                "notReady", s.getNotReadyAddresses() == null ? List.of() : s.getNotReadyAddresses(),
                "ports", s.getPorts() == null ? List.of() : s.getPorts())).toList();
    }

    private static String label(EndpointSlice s, String name) {
        return s.getMetadata().getLabels() == null ? null : s.getMetadata().getLabels().get(name);
    }
}

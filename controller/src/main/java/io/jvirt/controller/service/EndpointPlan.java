package io.jvirt.controller.service;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a Service's endpoints should be, from the Service and the pods its selector matches (as Kubernetes' endpoint
 * and EndpointSlice controllers compute them): every pod with an IPv4 address that has not ended, ready when its
 * {@code Ready} condition is True, terminating when it is being deleted; each Service port resolved per pod (a
 * numeric {@code targetPort}, a named one looked up among the pod's container ports, none: the port itself). Pods
 * with the same resolved ports share an EndpointSlice (named {@code <service>-<hash of the ports>}) and an Endpoints
 * subset. Pure.
 */
public final class EndpointPlan {
    public static final String SERVICE_NAME = "kubernetes.io/service-name";
    public static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
    public static final String MANAGER = "endpointslice-controller.k8s.io";

    private EndpointPlan() {}

    /** A pod's resolved ports (the Service's port name, the pod's port number, the protocol). */
    record ResolvedPort(String name, int port, String protocol) {}

    /** The slices the Service should have, by name; empty when it has no selector (its endpoints are the user's). */
    public static Map<String, EndpointSlice> slices(Service service, List<Pod> pods) {
        Map<String, EndpointSlice> out = new LinkedHashMap<>();
        for (Map.Entry<List<ResolvedPort>, List<Pod>> group : groups(service, pods).entrySet()) {
            List<ResolvedPort> ports = group.getKey();
            String name = service.getMetadata().getName() + "-" + hash(ports);
            List<Endpoint> endpoints = group.getValue().stream().map(EndpointPlan::endpoint).toList();
            out.put(name, new EndpointSliceBuilder()
                    .withNewMetadata().withName(name).withNamespace(service.getMetadata().getNamespace())
                    .withLabels(Map.of(SERVICE_NAME, service.getMetadata().getName(), MANAGED_BY, MANAGER))
                    .withOwnerReferences(owner(service)).endMetadata()
                    .withAddressType("IPv4")
                    .withEndpoints(endpoints)
                    .withPorts(ports.stream().map(p -> new io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder()
                            .withName(p.name()).withPort(p.port()).withProtocol(p.protocol()).build()).toList())
                    .build());
        }
        return out;
    }

    /** The Endpoints object the Service should have (same name as the Service), or null when it has no selector. */
    public static Endpoints endpoints(Service service, List<Pod> pods) {
        if (!selects(service)) {
            return null;
        }
        List<EndpointSubset> subsets = new ArrayList<>();
        for (Map.Entry<List<ResolvedPort>, List<Pod>> group : groups(service, pods).entrySet()) {
            List<EndpointAddress> ready = new ArrayList<>();
            List<EndpointAddress> notReady = new ArrayList<>();
            for (Pod pod : group.getValue()) {
                EndpointAddress address = new EndpointAddressBuilder().withIp(pod.getStatus().getPodIP())
                        .withNodeName(pod.getSpec() == null ? null : pod.getSpec().getNodeName()).withTargetRef(podRef(pod)).build();
                (ready(pod) && pod.getMetadata().getDeletionTimestamp() == null ? ready : notReady).add(address);
            }
            List<EndpointPort> ports = group.getKey().stream()
                    .map(p -> new EndpointPortBuilder().withName(p.name()).withPort(p.port()).withProtocol(p.protocol()).build()).toList();
            subsets.add(new EndpointSubsetBuilder().withAddresses(ready).withNotReadyAddresses(notReady).withPorts(ports).build());
        }
        return new EndpointsBuilder().withNewMetadata().withName(service.getMetadata().getName())
                .withNamespace(service.getMetadata().getNamespace()).withOwnerReferences(owner(service)).endMetadata()
                .withSubsets(subsets).build();
    }

    /** Whether the Service names a selector (else Kubernetes leaves its endpoints to the user). */
    public static boolean selects(Service service) {
        return service.getSpec() != null && service.getSpec().getSelector() != null && !service.getSpec().getSelector().isEmpty();
    }

    /** Whether {@code pod} is one of {@code service}'s: same namespace, every selector label matches. */
    public static boolean selected(Service service, Pod pod) {
        if (!selects(service) || !Objects.equals(service.getMetadata().getNamespace(), pod.getMetadata().getNamespace())) {
            return false;
        }
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        return service.getSpec().getSelector().entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static Map<List<ResolvedPort>, List<Pod>> groups(Service service, List<Pod> pods) {
        Map<List<ResolvedPort>, List<Pod>> groups = new LinkedHashMap<>();
        if (!selects(service)) {
            return groups;
        }
        pods.stream().filter(p -> selected(service, p)).filter(EndpointPlan::addressable)
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .forEach(p -> groups.computeIfAbsent(ports(service, p), k -> new ArrayList<>()).add(p));
        return groups;
    }

    private static boolean addressable(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getPodIP() == null || pod.getStatus().getPodIP().isEmpty()
                || pod.getStatus().getPodIP().contains(":")) {
            return false;
        }
        String phase = pod.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    static List<ResolvedPort> ports(Service service, Pod pod) {
        List<ResolvedPort> out = new ArrayList<>();
        for (ServicePort sp : service.getSpec().getPorts() == null ? List.<ServicePort>of() : service.getSpec().getPorts()) {
            String protocol = sp.getProtocol() == null ? "TCP" : sp.getProtocol();
            IntOrString target = sp.getTargetPort();
            Integer port;
            if (target == null || (target.getIntVal() == null && target.getStrVal() == null) || Integer.valueOf(0).equals(target.getIntVal())) {
                port = sp.getPort();
            } else if (target.getIntVal() != null) {
                port = target.getIntVal();
            } else {
                port = namedPort(pod, target.getStrVal(), protocol);
            }
            if (port != null) {
                out.add(new ResolvedPort(sp.getName() == null ? "" : sp.getName(), port, protocol));
            }
        }
        return List.copyOf(out);
    }

    private static Integer namedPort(Pod pod, String name, String protocol) {
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return null;
        }
        for (var c : pod.getSpec().getContainers()) {
            for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                if (name.equals(p.getName()) && protocol.equals(p.getProtocol() == null ? "TCP" : p.getProtocol())) {
                    return p.getContainerPort();
                }
            }
        }
        return null;
    }

    private static Endpoint endpoint(Pod pod) {
        boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
        boolean ready = ready(pod);
        return new EndpointBuilder().withAddresses(pod.getStatus().getPodIP())
                .withNewConditions().withReady(ready && !terminating).withServing(ready).withTerminating(terminating).endConditions()
                .withNodeName(pod.getSpec() == null ? null : pod.getSpec().getNodeName())
                .withTargetRef(podRef(pod)).build();
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static ObjectReference podRef(Pod pod) {
        return new ObjectReferenceBuilder().withKind("Pod").withNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build();
    }

    private static OwnerReference owner(Service service) {
        return new OwnerReferenceBuilder().withApiVersion("v1").withKind("Service").withName(service.getMetadata().getName())
                .withUid(service.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
    }

    private static String hash(List<ResolvedPort> ports) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(ports.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 3).substring(0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}

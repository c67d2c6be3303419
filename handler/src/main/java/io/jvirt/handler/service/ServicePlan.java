package io.jvirt.handler.service;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.jvirt.network.service.VirtualService;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What the service proxy serves, from Services and EndpointSlices as kube-proxy reads them: every TCP or UDP port of a
 * Service with a cluster IP or node port (not ExternalName, not headless) becomes a {@link VirtualService} whose
 * backends are the ready endpoints ({@code conditions.ready} true or unset) of the IPv4 EndpointSlices labelled
 * {@code kubernetes.io/service-name} with the Service's name in its namespace, at the slice port of the same name and
 * protocol. A value that is not an address or port (an object stored before validation) leaves that port out; the
 * rest is served. Pure; the result is sorted, so equal inputs give equal plans.
 */
public final class ServicePlan {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    private static final System.Logger LOG = System.getLogger(ServicePlan.class.getName());

    private ServicePlan() {}

    public static List<VirtualService> of(Collection<Service> services, Collection<EndpointSlice> slices) {
        List<VirtualService> out = new ArrayList<>();
        for (Service s : services) {
            if (s.getSpec() == null || "ExternalName".equals(s.getSpec().getType())) continue;
            String clusterIp = s.getSpec().getClusterIP();
            if (clusterIp == null || clusterIp.isEmpty() || clusterIp.equals("None")) clusterIp = null;
            String namespace = s.getMetadata().getNamespace();
            String name = s.getMetadata().getName();
            for (ServicePort port : s.getSpec().getPorts() == null ? List.<ServicePort>of() : s.getSpec().getPorts()) {
                String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
                int nodePort = port.getNodePort() == null ? 0 : port.getNodePort();
                if (!protocol.equals("TCP") && !protocol.equals("UDP") || port.getPort() == null || clusterIp == null && nodePort == 0) continue;
                String portName = port.getName() == null ? "" : port.getName();
                try {
                    out.add(new VirtualService(namespace + "/" + name + (portName.isEmpty() ? "" : ":" + portName),
                            protocol.toLowerCase(Locale.ROOT), clusterIp, port.getPort(), nodePort,
                            backends(slices, namespace, name, portName, protocol)));
                } catch (IllegalArgumentException e) {
                    LOG.log(System.Logger.Level.WARNING, "service " + namespace + "/" + name + " port " + port.getPort() + " left out: " + e.getMessage());
                }
            }
        }
        out.sort(Comparator.comparing(VirtualService::name).thenComparing(VirtualService::port).thenComparing(VirtualService::protocol));
        return out;
    }

    private static List<VirtualService.Backend> backends(Collection<EndpointSlice> slices, String namespace, String service,
            String portName, String protocol) {
        TreeSet<VirtualService.Backend> out = new TreeSet<>(Comparator.comparing(VirtualService.Backend::ip).thenComparing(VirtualService.Backend::port));
        for (EndpointSlice slice : slices) {
            if (!namespace.equals(slice.getMetadata().getNamespace()) || !"IPv4".equals(slice.getAddressType())
                    || slice.getMetadata().getLabels() == null || !service.equals(slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL))) continue;
            for (EndpointPort p : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
                String name = p.getName() == null ? "" : p.getName();
                String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
                if (!name.equals(portName) || !proto.equals(protocol) || p.getPort() == null) continue;
                for (Endpoint e : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
                    if (e.getConditions() != null && Objects.equals(e.getConditions().getReady(), Boolean.FALSE)) continue;
                    for (String address : e.getAddresses() == null ? List.<String>of() : e.getAddresses()) {
                        out.add(new VirtualService.Backend(address, p.getPort()));
                    }
                }
            }
        }
        return List.copyOf(out);
    }
}

package io.jvirt.network.service;

import io.jvirt.network.Ipv4;
import java.util.List;
import java.util.Set;

/**
 * One port of one Service as the service proxy serves it: connections to {@code clusterIp:port} (when the Service has a
 * cluster IP) and to {@code nodePort} on any of the host's own addresses (when it has one) go to one of the ready
 * {@code backends}, picked at random per connection. Values only (addresses parsed, ports checked), no Kubernetes.
 *
 * @param name for people, in the rule's comment (reduced to {@code [A-Za-z0-9./:_-]})
 * @param protocol {@code tcp} or {@code udp}
 * @param clusterIp dotted IPv4, or null (headless)
 * @param nodePort 30000-32767 style host port, or 0 for none
 */
public record VirtualService(String name, String protocol, String clusterIp, int port, int nodePort, List<Backend> backends) {
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp");

    /** A ready endpoint: an IPv4 address and port. */
    public record Backend(String ip, int port) {
        public Backend {
            ip = Ipv4.text(Ipv4.address(ip));
            VirtualService.checkPort(port, "backend port");
        }
    }

    public VirtualService {
        name = name.replaceAll("[^A-Za-z0-9./:_-]", "");
        if (!PROTOCOLS.contains(protocol)) throw new IllegalArgumentException("protocol must be tcp or udp: " + protocol);
        if (clusterIp != null) clusterIp = Ipv4.text(Ipv4.address(clusterIp));
        checkPort(port, "port");
        if (nodePort != 0) checkPort(nodePort, "node port");
        backends = List.copyOf(backends);
    }

    static void checkPort(int port, String what) {
        if (port < 1 || port > 65535) throw new IllegalArgumentException(what + " must be 1-65535: " + port);
    }
}

package io.jvirt.apiserver.subresources;

import io.jvirt.apiserver.http.ApiException;
import java.util.List;

/**
 * The target of KubeVirt's {@code portforward} subresource, read from its path
 * {@code .../namespaces/NS/(virtualmachineinstances|virtualmachines)/NAME/portforward/PORT[/PROTOCOL]}: a port
 * 1-65535 and {@code tcp} (the default). UDP is refused: the node relay carries one byte stream, and datagrams
 * would lose their boundaries on it. Pure.
 */
record PortForward(int port, String protocol) {
    static final List<String> PLURALS = List.of("virtualmachineinstances", "virtualmachines");

    /**
     * @param seg the path split at {@code /}: {@code ["", "apis", group, version, "namespaces", ns, plural, name,
     *     "portforward", port, protocol?]}
     * @throws ApiException 404 for another shape or resource, 400 for a port or protocol that is not one
     */
    static PortForward parse(String[] seg, String path) {
        if (seg.length < 10 || seg.length > 11 || !PLURALS.contains(seg[6])) throw ApiException.pathNotFound(path);
        int port;
        try {
            port = Integer.parseInt(seg[9]);
        } catch (NumberFormatException e) {
            port = 0;
        }
        if (port < 1 || port > 65535) throw ApiException.badRequest("invalid port '" + seg[9] + "': must be a number between 1 and 65535");
        String protocol = seg.length == 11 ? seg[10] : "tcp";
        if (protocol.equals("udp")) {
            throw ApiException.badRequest("port forwarding of UDP is not supported by jvirt (only tcp)");
        }
        if (!protocol.equals("tcp")) throw ApiException.badRequest("invalid protocol '" + protocol + "': must be tcp or udp");
        return new PortForward(port, protocol);
    }

    /** The node relay's action words: {@code portforward <port> <protocol>}. */
    String relayAction() {
        return "portforward " + port + " " + protocol;
    }
}

package io.jvirt.handler.relay;

import io.jvirt.network.NetworkNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;

/**
 * Where a VMI's guest is reached for {@code portforward}: the guest's address and, when it exists only inside the
 * launcher pod's network namespace (masquerade's 10.0.2.2), that namespace. {@link #connect} then opens the TCP
 * connection from inside it (a platform thread joins it with {@code setns}, makes and connects the socket, and leaves;
 * the socket stays in the namespace), so nothing of the guest is routed to or exposed on the host; without a namespace
 * (a guest holding its pod address on the node's pod bridge) it connects from the node's own.
 *
 * @param netns the pod's network namespace ({@code ip netns} name), or null
 * @param address the guest's address
 */
public record GuestEndpoint(String netns, InetAddress address) {
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    /** Finds the guest of VMI {@code namespace/name} when it runs on this node. Thread-safe. */
    public interface Lookup {
        /**
         * @return empty when the VMI does not run on this node
         * @throws IOException when it runs here but its guest cannot be reached (no address yet), with the reason
         */
        Optional<GuestEndpoint> find(String namespace, String name) throws IOException;
    }

    /** A connected socket to {@code port} of the guest (made inside the pod's namespace when given); within 10 s or IOException. */
    public Socket connect(int port) throws IOException {
        return netns == null ? open(port) : new NetworkNamespace(netns).enter(() -> open(port));
    }

    private Socket open(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MS);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }
}

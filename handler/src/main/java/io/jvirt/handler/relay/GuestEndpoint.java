package io.jvirt.handler.relay;

import io.jvirt.network.NetworkNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;

/**
 * Where a VMI's guest is reached for {@code portforward}: the network namespace of its launcher pod and the guest's
 * address as seen from inside it. {@link #connect} opens the TCP connection from inside that namespace (a platform
 * thread joins it with {@code setns}, makes and connects the socket, and leaves; the socket stays in the namespace), so
 * nothing of the guest is routed to or exposed on the host.
 *
 * @param netns the pod's network namespace ({@code ip netns} name)
 * @param address the guest's address inside it
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

    /** A connected socket to {@code port} of the guest, made inside the pod's namespace; within 10 s or IOException. */
    public Socket connect(int port) throws IOException {
        return new NetworkNamespace(netns).enter(() -> {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MS);
                return s;
            } catch (IOException e) {
                s.close();
                throw e;
            }
        });
    }
}

package io.jvirt.network.dhcp;

import io.jvirt.network.DeviceUdpSocket;
import io.jvirt.network.Ipv4;
import io.jvirt.network.NetworkNamespace;
import java.io.IOException;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A DHCP server with a single lease, run by the node agent for one guest interface: it answers DISCOVER with an
 * OFFER and REQUEST with an ACK (or a NAK for another address) for the lease's MAC only, and ignores every
 * other client (a pod's namespace also hears its neighbours' broadcasts on eth0). Leases are infinite, so the
 * server holds no state: an agent restart starts it again and a guest renewing gets the same answer.
 *
 * <p>Its socket is opened inside the pod's network namespace by a thread that joined it ({@link
 * NetworkNamespace#enter}) and bound to {@code 0.0.0.0:67} on the device holding the lease's server address (the tap,
 * or the binding's bridge; {@link DeviceUdpSocket}, {@code SO_BINDTODEVICE}): it hears only the clients on that
 * device, so the servers of a guest's several interfaces in one namespace never answer each other's, and its
 * replies to {@code 255.255.255.255:68} leave by that device. One small platform thread per server waits in
 * {@code recv} (a virtual one would pin its carrier). No process per VM, no raw socket. {@link #close} stops it;
 * thread-safe.
 */
public final class DhcpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DhcpServer.class.getName());
    private static final int SERVER_PORT = 67;
    private static final int CLIENT_PORT = 68;
    private static final int INFINITE = -1;
    private static final long STACK = 256 * 1024;

    private final DhcpLease lease;
    private final DeviceUdpSocket socket;
    private final Thread thread;

    private DhcpServer(DhcpLease lease, DeviceUdpSocket socket, String name) {
        this.lease = lease;
        this.socket = socket;
        this.thread = Thread.ofPlatform().daemon().stackSize(STACK).name("dhcp-" + name + "-" + socket.device()).start(this::serve);
    }

    /**
     * Starts serving {@code lease} in {@code netns}. The lease's server address must already be on the guest-facing
     * device there: that device is the one the server answers on.
     */
    public static DhcpServer start(NetworkNamespace netns, DhcpLease lease) throws IOException {
        DeviceUdpSocket socket = netns.enter(() -> DeviceUdpSocket.open(deviceOf(lease.server()), SERVER_PORT));
        return new DhcpServer(lease, socket, netns.name());
    }

    /** The device of the calling thread's namespace that holds {@code address}. */
    private static String deviceOf(int address) throws IOException {
        NetworkInterface device = NetworkInterface.getByInetAddress(Ipv4.inet(address));
        if (device == null) {
            throw new IOException("no device holds the DHCP server's address " + Ipv4.text(address));
        }
        return device.getName();
    }

    public DhcpLease lease() {
        return lease;
    }

    private void serve() {
        ByteBuffer buffer = ByteBuffer.allocate(1500);
        while (true) {
            try {
                buffer.clear();
                if (socket.receive(buffer) < 0) {
                    return; // closed
                }
            } catch (IOException e) { // not a datagram's fault: going on would only fail again
                LOG.log(System.Logger.Level.WARNING, "DHCP for " + lease + " stopped: receiving failed", e);
                return;
            }
            try {
                buffer.flip();
                Optional<DhcpMessage> reply = answer(lease, DhcpMessage.parse(buffer));
                if (reply.isPresent()) {
                    socket.send(reply.get().encode(), -1, CLIENT_PORT);
                }
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.DEBUG, "ignored a datagram that is not DHCP: " + e.getMessage());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "DHCP for " + lease + " failed to answer", e);
            }
        }
    }

    /** The reply to {@code request}, if it gets one. Pure. */
    static Optional<DhcpMessage> answer(DhcpLease lease, DhcpMessage request) {
        if (request.op() != DhcpMessage.BOOTREQUEST || !request.clientMac().equals(lease.mac())) {
            return Optional.empty();
        }
        return switch (request.type()) {
            case DhcpMessage.DISCOVER -> Optional.of(reply(lease, request, DhcpMessage.OFFER));
            case DhcpMessage.REQUEST -> {
                int serverId = request.address(DhcpMessage.OPT_SERVER_ID);
                if (serverId != 0 && serverId != lease.server()) {
                    yield Optional.empty(); // the client chose another server's offer
                }
                int wanted = request.address(DhcpMessage.OPT_REQUESTED_IP);
                if (wanted == 0) {
                    wanted = request.ciaddr(); // RENEWING / REBINDING
                }
                yield Optional.of(wanted == lease.address() ? reply(lease, request, DhcpMessage.ACK) : nak(lease, request));
            }
            case DhcpMessage.INFORM -> Optional.of(reply(lease, request, DhcpMessage.ACK));
            default -> Optional.empty();
        };
    }

    private static DhcpMessage reply(DhcpLease lease, DhcpMessage request, int type) {
        Map<Integer, byte[]> o = new LinkedHashMap<>();
        o.put(DhcpMessage.OPT_MESSAGE_TYPE, new byte[] {(byte) type});
        o.put(DhcpMessage.OPT_SERVER_ID, bytes(lease.server()));
        if (type != DhcpMessage.ACK || request.type() != DhcpMessage.INFORM) {
            o.put(DhcpMessage.OPT_LEASE_TIME, bytes(INFINITE));
        }
        int mask = Ipv4.mask(lease.prefix());
        o.put(DhcpMessage.OPT_SUBNET_MASK, bytes(mask));
        o.put(DhcpMessage.OPT_BROADCAST, bytes(lease.address() | ~mask));
        if (lease.router() != 0) {
            o.put(DhcpMessage.OPT_ROUTER, bytes(lease.router()));
        }
        if (!lease.dns().isEmpty()) {
            ByteBuffer dns = ByteBuffer.allocate(4 * lease.dns().size());
            lease.dns().forEach(dns::putInt);
            o.put(DhcpMessage.OPT_DNS, dns.array());
        }
        if (lease.mtu() > 0) {
            o.put(DhcpMessage.OPT_MTU, new byte[] {(byte) (lease.mtu() >>> 8), (byte) lease.mtu()});
        }
        if (lease.hostname() != null && !lease.hostname().isEmpty()) {
            o.put(DhcpMessage.OPT_HOSTNAME, lease.hostname().getBytes(StandardCharsets.US_ASCII));
        }
        int yiaddr = request.type() == DhcpMessage.INFORM ? 0 : lease.address();
        return new DhcpMessage(DhcpMessage.BOOTREPLY, request.xid(), request.flags(), request.ciaddr(), yiaddr, 0, request.giaddr(),
                request.chaddr(), o);
    }

    private static DhcpMessage nak(DhcpLease lease, DhcpMessage request) {
        Map<Integer, byte[]> o = new LinkedHashMap<>();
        o.put(DhcpMessage.OPT_MESSAGE_TYPE, new byte[] {(byte) DhcpMessage.NAK});
        o.put(DhcpMessage.OPT_SERVER_ID, bytes(lease.server()));
        return new DhcpMessage(DhcpMessage.BOOTREPLY, request.xid(), request.flags(), 0, 0, 0, request.giaddr(), request.chaddr(), o);
    }

    private static byte[] bytes(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    /** Stops serving: wakes the server's thread, waits for it, releases the socket. Idempotent. */
    @Override
    public void close() throws IOException {
        socket.shutdown();
        try {
            thread.join(java.time.Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IOException("the DHCP server of " + lease + " did not stop"); // its descriptor stays: recv may still use it
        }
        socket.close();
    }
}

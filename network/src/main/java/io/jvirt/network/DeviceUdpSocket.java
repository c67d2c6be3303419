package io.jvirt.network;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A UDP socket on {@code 0.0.0.0:<port>} bound to one network device ({@code SO_BINDTODEVICE}, which Java's socket
 * API lacks; made through {@link Libc}): it receives only what arrives on that device, and its broadcasts leave by
 * it. Several such sockets share a port in one namespace, one per device. Opened in the calling thread's network
 * namespace (call {@link #open} inside {@link NetworkNamespace#enter}); the socket stays there.
 *
 * <p>{@link #receive} blocks in the kernel, so it belongs on a platform thread (a virtual one would pin its carrier).
 * {@link #shutdown} from another thread wakes it, after which it returns -1; {@link #close} releases the descriptor once
 * the receiver has returned (never while it may still call {@code recv}: the number could name another file by then).
 * Thread-safe for one receiver and any number of senders.
 */
public final class DeviceUdpSocket implements AutoCloseable {
    private final int fd;
    private final String device;
    private volatile boolean shutDown;
    private boolean closed;

    private DeviceUdpSocket(int fd, String device) {
        this.fd = fd;
        this.device = device;
    }

    /** Opens the socket with {@code SO_REUSEADDR} and {@code SO_BROADCAST}, bound to {@code device} and {@code port}. */
    public static DeviceUdpSocket open(String device, int port) throws IOException {
        if (!device.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("not a device name: '" + device + "'");
        }
        int fd = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            Libc.setsockopt(fd, Libc.SO_REUSEADDR, arena.allocateFrom(JAVA_INT, 1), "SO_REUSEADDR");
            Libc.setsockopt(fd, Libc.SO_BROADCAST, arena.allocateFrom(JAVA_INT, 1), "SO_BROADCAST");
            Libc.setsockopt(fd, Libc.SO_BINDTODEVICE, arena.allocateFrom(device), "SO_BINDTODEVICE " + device);
            Libc.bind(fd, Libc.sockaddrIn(arena, 0, port), "bind 0.0.0.0:" + port + " on " + device);
            return new DeviceUdpSocket(fd, device);
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    public String device() {
        return device;
    }

    /**
     * Blocks until a datagram arrives on the device and puts it into {@code buffer} (from its position; a longer one
     * is cut); returns its length, or -1 once {@link #shutdown} was called.
     */
    public int receive(ByteBuffer buffer) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(1, buffer.remaining()));
            int n = Libc.recv(fd, data, buffer.remaining(), "recv on " + device);
            if (shutDown) {
                return -1;
            }
            buffer.put(data.asSlice(0, n).asByteBuffer());
            return n;
        }
    }

    /** Sends {@code datagram} (position to limit) to {@code address:port} (IPv4 as an int; -1 for 255.255.255.255). */
    public void send(ByteBuffer datagram, int address, int port) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(1, datagram.remaining()));
            data.asByteBuffer().put(datagram.duplicate());
            Libc.sendto(fd, data, datagram.remaining(), Libc.sockaddrIn(arena, address, port), "sendto on " + device);
        }
    }

    /** Wakes a blocked {@link #receive}, which returns -1 from then on. Idempotent. */
    public void shutdown() {
        shutDown = true;
        Libc.shutdown(fd); // on an unconnected UDP socket the call reports ENOTCONN and wakes the receiver all the same
    }

    /** Shuts the socket down and releases its descriptor: call once no {@link #receive} runs any more. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        shutdown();
        closed = true;
        Libc.close(fd);
    }
}

package io.jvirt.network;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tap device opened by the node agent inside a pod's network namespace: {@code /dev/net/tun} opened and
 * {@code TUNSETIFF} ({@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR}) issued by a thread that joined the namespace,
 * so the device exists there for as long as a descriptor of it is open. The descriptor is what QEMU gets
 * ({@code -netdev tap,fd=N}, the converter's {@code Netdev.TapFd}): QEMU as uid 107 then needs no access to
 * {@code /dev/net/tun} (0600 on some hosts) and no tap owned by it. The descriptor is opened close-on-exec,
 * so no other child inherits it; the process that starts QEMU places it at the number QEMU is told (a
 * {@code dup2} in the child clears the flag). Closing this object closes the agent's copy; the device goes
 * away when QEMU's copy is closed too (it is not persistent). Thread-safe; {@link #close} is idempotent.
 */
public final class TapDevice implements AutoCloseable {
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final int IFNAMSIZ = 16;
    private static final int IFREQ_SIZE = 40;

    private final String name;
    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TapDevice(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /**
     * Creates tap {@code name} in {@code netns} and returns its open descriptor. Fails when a device of that
     * name exists there (and is not a tap this call may attach to) or the name is not a Linux interface name.
     */
    public static TapDevice open(NetworkNamespace netns, String name) throws IOException {
        if (!name.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("not a Linux interface name: '" + name + "'");
        }
        int fd = netns.enter(() -> {
            int tun = Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_CLOEXEC);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ifreq = arena.allocate(IFREQ_SIZE);
                byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(bytes, 0, ifreq, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
                ifreq.set(JAVA_SHORT, IFNAMSIZ, (short) (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
                Libc.ioctl(tun, TUNSETIFF, ifreq, "TUNSETIFF " + name);
                return tun;
            } catch (IOException | RuntimeException e) {
                Libc.close(tun);
                throw e;
            }
        });
        return new TapDevice(name, fd);
    }

    public String name() {
        return name;
    }

    /** The open descriptor in this process (valid until {@link #close}). */
    public int fd() {
        if (closed.get()) {
            throw new IllegalStateException("tap " + name + " is closed");
        }
        return fd;
    }

    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            Libc.close(fd);
        }
    }
}

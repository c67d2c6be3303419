package io.jvirt.converter;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/**
 * The host side of one guest interface, as set up by the node's network layer. In JSON a
 * {@code "type"} of TapFd, TapName, Stream or UserMode selects the record.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(Netdev.TapFd.class), @JsonSubTypes.Type(Netdev.TapName.class),
    @JsonSubTypes.Type(Netdev.Stream.class), @JsonSubTypes.Type(Netdev.UserMode.class)})
public sealed interface Netdev {
    /**
     * An open tap device QEMU inherits as file descriptor {@code fd}: the node agent opens it in the pod's
     * namespace and starts QEMU through the network driver's {@code FdSpawn} (a JVM's ProcessBuilder closes every
     * descriptor above 2).
     */
    record TapFd(int fd) implements Netdev {
        public TapFd {
            if (fd < 3) {
                throw new IllegalArgumentException("tap fd must be >= 3 (0-2 are stdio): " + fd);
            }
        }
    }

    /** A tap device by name, already created and owned by the user QEMU runs as. */
    record TapName(String ifname) implements Netdev {
        public TapName {
            Objects.requireNonNull(ifname, "ifname");
            if (!ifname.matches("[A-Za-z0-9_.-]{1,15}")) {
                throw new IllegalArgumentException("not a Linux interface name: '" + ifname + "'");
            }
        }
    }

    /**
     * A unix stream socket that carries the guest's frames (QEMU's {@code -netdev stream}, 7.2 on), QEMU connecting
     * as the client: the passt binding's socket.
     */
    record Stream(String path) implements Netdev {
        public Stream {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/") || path.contains(",") || path.length() > 107) {
                throw new IllegalArgumentException("not an absolute unix socket path without commas, at most 107 bytes: '" + path + "'");
            }
        }
    }

    /**
     * QEMU's user-mode network (slirp), the fallback when no tap is available.
     *
     * @param restrict true isolates the guest: no connections leave it (only host forwards reach it)
     */
    record UserMode(boolean restrict) implements Netdev {}
}

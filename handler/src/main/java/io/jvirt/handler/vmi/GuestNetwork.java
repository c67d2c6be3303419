package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.network.dhcp.DhcpLease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * What the node agent wired for a launcher pod's guest, kept in {@code <pod dir>/network.json} (root's, 0600) so an
 * agent restarted while the VM runs serves the same DHCP leases and reports the same addresses.
 *
 * @param podIps the pod's addresses on the pod network (CNI), the {@code ipAddress}/{@code ipAddresses} of its pod
 *     network interface
 * @param leases the DHCP lease of each bridge or masquerade interface
 * @param secondaries each multus secondary interface's addresses (its CNI result)
 */
record GuestNetwork(List<String> podIps, List<DhcpLease> leases, List<Secondary> secondaries) {
    /**
     * A secondary network's interface as the VMI's status reports it.
     *
     * @param name the VMI interface's name
     * @param podInterface the pod's interface ({@code net<n>})
     * @param ips its addresses from the NetworkAttachmentDefinition's CNI result
     */
    record Secondary(String name, String podInterface, List<String> ips) {
        Secondary {
            ips = List.copyOf(ips);
        }
    }

    static final String FILE = "network.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final GuestNetwork NONE = new GuestNetwork(List.of(), List.of(), List.of());

    GuestNetwork {
        podIps = List.copyOf(podIps);
        leases = List.copyOf(leases);
        secondaries = secondaries == null ? List.of() : List.copyOf(secondaries); // null: kept before secondary networks
    }

    /** Writes it atomically, mode 0600. */
    static void save(Path podDir, GuestNetwork network) throws IOException {
        Path tmp = podDir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, JSON.writeValueAsBytes(network));
        Files.move(tmp, podDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** What {@link #save} kept for the pod; {@link #NONE} when nothing was (no pod network) or it cannot be read. */
    static GuestNetwork load(Path podDir) {
        Path file = podDir.resolve(FILE);
        try {
            return Files.isRegularFile(file) ? JSON.readValue(file.toFile(), GuestNetwork.class) : NONE;
        } catch (IOException e) {
            return NONE;
        }
    }
}

package io.jvirt.handler.pod;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.security.SecureRandom;

/**
 * The names one node agent gives what it creates outside its data directory: network namespaces
 * {@code jvirt-<id>-<12 hex of the pod uid>}, cgroups {@code jvirt/<id>-<pod uid>} (v1 or v2, {@link CgroupHierarchy}) and run
 * directories {@code /run/jvirt/<id>-<pod uid>}. {@code id} is the agent's instance id, 8 random hex
 * digits kept in {@code <data dir>/instance-id}, so the several jvirt instances one host may run never
 * take each other's for their own: a sweep ({@link LeftoverSweep}) removes only names with its id.
 * Immutable; thread-safe.
 *
 * @param cgroups the host's cgroup hierarchy the pod cgroups go in
 */
public record HostScope(String id, CgroupHierarchy cgroups) {
    static final String FILE = "instance-id";
    /** Parent of every run directory: short and fixed, because a unix socket path may not exceed 107 bytes. */
    public static final Path RUN_ROOT = Path.of("/run/jvirt");
    static final String NETNS_PREFIX = "jvirt-";

    public HostScope {
        if (!id.matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("instance id must be 8 hex digits: " + id);
        }
    }

    /** Instance {@code id} on this host's cgroup hierarchy ({@link CgroupHierarchy#host()}). */
    public HostScope(String id) {
        this(id, CgroupHierarchy.host());
    }

    /** The instance id of {@code dataDir}, made (random, 0600) on first use. Idempotent. */
    public static HostScope of(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            Files.createDirectories(dataDir);
            byte[] random = new byte[4];
            new SecureRandom().nextBytes(random);
            Path tmp = Files.createTempFile(dataDir, FILE, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, HexFormat.of().formatHex(random) + "\n");
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE); // never replaces: a concurrent first start keeps one id
            } catch (FileAlreadyExistsException e) {
                Files.delete(tmp);
            }
        }
        return new HostScope(Files.readString(file).strip());
    }

    /** What every host-global name of this instance starts with (after its kind's own prefix). */
    String prefix() {
        return id + "-";
    }

    /** The network namespace of pod {@code podUid}. */
    public String netnsName(String podUid) {
        String hex = podUid.replace("-", "");
        return NETNS_PREFIX + prefix() + hex.substring(0, Math.min(12, hex.length()));
    }

    /** The cgroup of pod {@code podUid}. */
    public PodCgroup cgroup(String podUid) {
        return cgroups.cgroup(prefix() + podUid);
    }

    /** The run directory (QEMU's and the launcher's sockets, serial log, cloud-init ISOs) of pod {@code podUid}. */
    public Path runDirectory(String podUid) {
        return RUN_ROOT.resolve(prefix() + podUid);
    }
}

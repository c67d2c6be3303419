package io.jvirt.handler;

import io.jvirt.registry.RegistryConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How one node agent runs.
 *
 * @param nodeName name of the Node object this agent registers and serves
 * @param dataDir where per-pod state, logs and the containerDisk cache live; survives agent restarts
 * @param memoryReserveBytes memory kept back from {@code allocatable} for the host and the agent
 * @param maxPods the {@code pods} capacity
 * @param heartbeat how often the Ready condition and the node Lease are renewed
 * @param buildDir the project's build directory (demo containerDisk under {@code images/demo/containerdisk})
 * @param imageMirrors containerDisk image name (without tag) → local OCI layout directory, beside the demo names
 * @param registries registry mirrors and plain-HTTP registries for containerDisk and kernel-boot pulls
 * @param forceEmulation KubeVirt's {@code useEmulation}: TCG even if KVM works
 * @param qemuUser {@code <uid>:<gid>} QEMU runs as when the agent is root (disks are handed to it; never 0); null
 *     is refused for a root agent, and ignored for an agent that is not root (QEMU then runs as the agent's user)
 * @param volumesDir the local-path volumes ({@code $JVIRT_HOME/volumes}, see {@code LocalVolumes}) this node hands to
 *     QEMU for persistentVolumeClaim and dataVolume volumes; null when it has none
 * @param dualStackPodNetwork the pod network gives each pod an IPv6 address (a ULA /64 of this node) after its IPv4
 *     one; off (IPv4 only) by default
 */
public record HandlerConfig(
        String nodeName,
        Path dataDir,
        long memoryReserveBytes,
        int maxPods,
        Duration heartbeat,
        Path buildDir,
        Map<String, Path> imageMirrors,
        RegistryConfig registries,
        boolean forceEmulation,
        String qemuUser,
        Path volumesDir,
        boolean dualStackPodNetwork) {
    /** KubeVirt's {@code qemu} user and group (107:107), the owner of files in its containerDisk images. */
    public static final String DEFAULT_QEMU_USER = "107:107";
    /** 256 MiB for the host and the agent itself. */
    public static final long DEFAULT_MEMORY_RESERVE = 256L * 1024 * 1024;

    public HandlerConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(dataDir, "dataDir");
        imageMirrors = Map.copyOf(imageMirrors);
        registries = registries == null ? RegistryConfig.DEFAULT : registries;
        if (qemuUser != null && (!qemuUser.matches("\\d+:\\d+") || qemuUser.matches("0*:.*|.*:0*"))) {
            throw new IllegalArgumentException("qemuUser must be <uid>:<gid>, neither 0, got " + qemuUser);
        }
        if (heartbeat == null) {
            heartbeat = Duration.ofSeconds(10);
        }
    }

    public HandlerConfig withHeartbeat(Duration interval) {
        return new HandlerConfig(nodeName, dataDir, memoryReserveBytes, maxPods, interval, buildDir, imageMirrors,
                registries, forceEmulation, qemuUser, volumesDir, dualStackPodNetwork);
    }

    public HandlerConfig withRegistries(RegistryConfig config) {
        return new HandlerConfig(nodeName, dataDir, memoryReserveBytes, maxPods, heartbeat, buildDir, imageMirrors,
                config, forceEmulation, qemuUser, volumesDir, dualStackPodNetwork);
    }

    /** A config with defaults for everything but the node name, data dir and build dir. */
    public static HandlerConfig defaults(String nodeName, Path dataDir, Path buildDir) {
        return new HandlerConfig(nodeName, dataDir, DEFAULT_MEMORY_RESERVE, 110, Duration.ofSeconds(10), buildDir,
                Map.of(), RegistryConfig.DEFAULT, false, DEFAULT_QEMU_USER, dataDir.resolveSibling("volumes"), false);
    }
}

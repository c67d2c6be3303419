package io.jvirt.handler.pod;

import java.nio.file.Path;

/**
 * Where one pod's files live.
 *
 * @param podDir the agent's own state for the pod ({@code <data>/pods/<uid>}, root's, 0700): state.json,
 *     pid and exit files, {@code compute.log}, the launch request
 * @param runDirectory {@link HostScope#runDirectory}: sockets, serial log, cloud-init ISOs (made by the launcher, QEMU's user's, 0700)
 * @param diskDirectory {@code <data>/disks/<uid>}: per-pod disk images QEMU opens (QEMU's user's, 0700; images 0600)
 * @param netns the pod's network namespace ({@code ip netns} name, {@link HostScope#netnsName})
 */
public record PodPaths(Path podDir, Path runDirectory, Path diskDirectory, String netns) {}

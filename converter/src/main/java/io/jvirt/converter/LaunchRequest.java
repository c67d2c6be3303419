package io.jvirt.converter;

import io.jvirt.api.v1.VirtualMachineInstance;
import io.jvirt.qemu.Accel;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the node agent gives a launcher when it starts it (a JSON file named on the command line):
 * the VMI and everything prepared for it on the node.
 *
 * @param vmi the VirtualMachineInstance
 * @param runDirectory the private per-VMI directory for sockets, logs and per-VMI files
 * @param accel the node's acceleration decision (TCG when KVM does not really work or emulation is forced)
 * @param tcgTranslationCacheMiB TCG translation cache size; 0 means 32
 * @param volumes prepared file per volume name; cloud-init volumes are left out (the launcher writes their ISO)
 * @param networks backend per interface name
 * @param kernel files for {@code kernelBoot}, or null
 * @param secrets Secret data referenced by cloud-init {@code secretRef}s: secret name → key → bytes (base64 in JSON)
 * @param qemuUser {@code "<uid>:<gid>"} QEMU runs as (the run directory and the files the launcher
 *     writes are given to it; handed-over disks must already be accessible to it), or null to run
 *     QEMU as the launcher's own user
 */
public record LaunchRequest(
        VirtualMachineInstance vmi,
        Path runDirectory,
        Accel accel,
        int tcgTranslationCacheMiB,
        Map<String, ReadyDisk> volumes,
        Map<String, Netdev> networks,
        KernelFiles kernel,
        Map<String, Map<String, byte[]>> secrets,
        String qemuUser) {
    public LaunchRequest {
        volumes = volumes == null ? Map.of() : Map.copyOf(volumes);
        networks = networks == null ? Map.of() : Map.copyOf(networks);
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
        accel = accel == null ? Accel.TCG : accel;
        tcgTranslationCacheMiB = tcgTranslationCacheMiB == 0 ? 32 : tcgTranslationCacheMiB;
    }
}

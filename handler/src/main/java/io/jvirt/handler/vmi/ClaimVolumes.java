package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.converter.DiskFormat;
import io.jvirt.converter.ReadyDisk;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvirt.api.meta.Quantity;
import io.jvirt.api.storage.LocalVolumes;
import io.jvirt.qemu.img.ImageFormat;
import io.jvirt.qemu.img.QemuImg;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands a VMI's {@code persistentVolumeClaim} and {@code dataVolume} volumes to QEMU: the claim must be bound to a
 * PersistentVolume of jvirt's local-path provisioner, whose files are found from the PV's name under the node's
 * volumes root ({@link LocalVolumes}; never from a path written in an API object). Filesystem mode: the volume's
 * {@code disk.img}, created sparse with the volume's capacity when missing (KubeVirt's way for a PVC without one);
 * Block mode: {@code block.img} attached as a loop device ({@code losetup}). Both are raw, always: the guest's data is
 * never probed for a format. The volume's directory and image are made QEMU's user's own (0700/0600). Stateless
 * apart from the file system; thread-safe.
 */
public final class ClaimVolumes {

    private final KubernetesClient client;
    private final Path root;
    private final QemuImg qemuImg;
    private final Consumer<Path> giveToQemu;

    /**
     * @param root the volumes root ({@code $JVIRT_HOME/volumes}), or null when this node has no local volumes
     * @param giveToQemu makes a path QEMU's user's own
     */
    public ClaimVolumes(KubernetesClient client, Path root, QemuImg qemuImg, Consumer<Path> giveToQemu) {
        this.client = client;
        this.qemuImg = qemuImg;
        this.root = root;
        this.giveToQemu = giveToQemu;
    }

    /** True when {@code volume} (a VMI spec volume) is one this class prepares. */
    public static boolean handles(JsonNode volume) {
        return volume.has("persistentVolumeClaim") || volume.has("dataVolume") || volume.has("ephemeral");
    }

    /**
     * The handover entry of {@code volume}: its raw image or block device.
     * An {@code ephemeral} volume gets a fresh qcow2 overlay {@code diskDir/<volume name>.qcow2} on its claim's image
     * (raw): the guest's writes go to the overlay, which goes with the VMI's disks, and never reach the claim.
     *
     * @throws IllegalStateException saying why the claim cannot be used (not found, being deleted, unbound, not a
     *     local-path volume, a DataVolume not yet populated)
     */
    public ReadyDisk prepare(String namespace, JsonNode volume, Path diskDir) throws IOException, InterruptedException {
        if (volume.has("ephemeral")) {
            String claim = volume.path("ephemeral").path("persistentVolumeClaim").path("claimName").asText();
            ClaimImage base = image(namespace, claim, "PersistentVolumeClaim " + namespace + "/" + claim + " (ephemeral)");
            Path overlay = diskDir.resolve(volume.path("name").asText() + ".qcow2");
            Files.deleteIfExists(overlay);
            qemuImg.createOverlay(overlay, base.path(), ImageFormat.RAW);
            Files.setPosixFilePermissions(overlay, PosixFilePermissions.fromString("rw-------"));
            giveToQemu.accept(overlay);
            return ReadyDisk.jvirtOwned(overlay, DiskFormat.QCOW2);
        }
        boolean dataVolume = volume.has("dataVolume");
        String claim = dataVolume ? volume.path("dataVolume").path("name").asText() : volume.path("persistentVolumeClaim").path("claimName").asText();
        ClaimImage image = image(namespace, claim, (dataVolume ? "DataVolume " : "PersistentVolumeClaim ") + namespace + "/" + claim);
        return new ReadyDisk(image.path(), DiskFormat.RAW, image.block(), false);
    }

    /** The claim's image as QEMU opens it: the volume's {@code disk.img}, or the loop device of its {@code block.img}. */
    private record ClaimImage(Path path, boolean block) {}

    private ClaimImage image(String namespace, String claim, String what) throws IOException, InterruptedException {
        if (root == null) throw new IllegalStateException(what + ": this node has no local volumes");
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get();
        if (pvc == null) throw new IllegalStateException(what + ": PersistentVolumeClaim " + claim + " not found");
        if (pvc.getMetadata().getDeletionTimestamp() != null) throw new IllegalStateException(what + ": the claim is being deleted");
        String pvName = pvc.getSpec().getVolumeName();
        if (pvName == null || pvName.isEmpty() || !"Bound".equals(pvc.getStatus() == null ? null : pvc.getStatus().getPhase())) {
            throw new IllegalStateException(what + ": the claim is not bound yet");
        }
        String phase = pvc.getMetadata().getAnnotations() == null ? null : pvc.getMetadata().getAnnotations().get(LocalVolumes.POPULATION_PHASE);
        if (phase != null && !"Succeeded".equals(phase)) throw new IllegalStateException(what + ": the volume is not populated yet (" + phase + ")");
        PersistentVolume pv = client.persistentVolumes().withName(pvName).get();
        if (pv == null || pv.getMetadata().getAnnotations() == null
                || !LocalVolumes.PROVISIONER.equals(pv.getMetadata().getAnnotations().get(LocalVolumes.PROVISIONED_BY))) {
            throw new IllegalStateException(what + ": PersistentVolume " + pvName + " is not a local-path volume of jvirt");
        }
        boolean block = "Block".equals(pv.getSpec().getVolumeMode());
        Path dir = LocalVolumes.directory(root, pvName);
        Path image = LocalVolumes.image(root, pvName, block);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw new IllegalStateException(what + ": the volume's directory " + dir + " is missing");
        if (!Files.exists(image, LinkOption.NOFOLLOW_LINKS)) {
            if (block) throw new IllegalStateException(what + ": the volume's " + image.getFileName() + " is missing");
            long bytes = Quantity.parse(pv.getSpec().getCapacity().get("storage").toString()).toLongCeiling();
            Files.createFile(image, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                f.setLength(bytes);
            }
        }
        if (!Files.isRegularFile(image, LinkOption.NOFOLLOW_LINKS)) throw new IllegalStateException(what + ": " + image + " is not a regular file");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rw-------"));
        giveToQemu.accept(dir);
        giveToQemu.accept(image);
        Path path = block ? loopDevice(image) : image;
        if (block) giveToQemu.accept(path);
        return new ClaimImage(path, block);
    }

    /** The loop device backed by {@code image}, attached now if none is. */
    static Path loopDevice(Path image) throws IOException, InterruptedException {
        String attached = losetup(List.of("losetup", "--associated", image.toString(), "--noheadings", "--output", "NAME"));
        if (!attached.isBlank()) return Path.of(attached.lines().findFirst().orElseThrow().strip());
        return Path.of(losetup(List.of("losetup", "--find", "--show", image.toString())).strip());
    }

    private static String losetup(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + " timed out");
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", argv) + " exited " + p.exitValue() + ": " + out.strip());
        return out;
    }
}

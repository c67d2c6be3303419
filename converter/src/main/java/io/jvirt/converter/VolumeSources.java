package io.jvirt.converter;

import io.jvirt.api.v1.Volume;
import java.util.ArrayList;
import java.util.List;

/** The volume sources the launcher runs from a prepared file, and their lookup in the handover. */
final class VolumeSources {
    private VolumeSources() {}

    /**
     * The prepared file of {@code volume}.
     *
     * @throws ConversionException if the source is not one a single node can run, or the node handed
     *     over no file for it
     */
    static ReadyDisk ready(ConversionContext context, Volume volume) {
        String field = "spec.volumes[name=" + volume.name() + "]";
        List<String> sources = sources(volume);
        if (sources.size() != 1) {
            throw new ConversionException(field + ": needs exactly one supported source "
                    + "(containerDisk, persistentVolumeClaim, dataVolume, hostDisk, emptyDisk, ephemeral, "
                    + "cloudInitNoCloud, cloudInitConfigDrive, configMap, secret, serviceAccount, downwardAPI), found " + (sources.isEmpty() ? "none" : sources)
                    + (volume.unknown() == null || volume.unknown().isEmpty() ? "" : "; unsupported: " + volume.unknown().keySet()));
        }
        ReadyDisk ready = context.handover().volumes().get(volume.name());
        if (ready == null) {
            throw new ConversionException(field + ": the node handed over no prepared file for this " + sources.get(0) + " volume");
        }
        return ready;
    }

    /**
     * True when the source itself is read-only: a PVC with {@code readOnly: true}. An image the node generates
     * (cloud-init, configMap, secret, ...) is a per-VMI file made again at each start: as in KubeVirt it follows its
     * disk's target ({@code cdrom} read-only by default, {@code disk} writable unless {@code readonly: true}), so it
     * also works on a sata disk, whose {@code ide-hd} has no read-only mode.
     */
    static boolean isReadOnly(Volume volume) {
        return volume.persistentVolumeClaim() != null && Boolean.TRUE.equals(volume.persistentVolumeClaim().readOnly());
    }

    private static List<String> sources(Volume volume) {
        List<String> found = new ArrayList<>();
        if (volume.containerDisk() != null) found.add("containerDisk");
        if (volume.persistentVolumeClaim() != null) found.add("persistentVolumeClaim");
        if (volume.dataVolume() != null) found.add("dataVolume");
        if (volume.hostDisk() != null) found.add("hostDisk");
        if (volume.emptyDisk() != null) found.add("emptyDisk");
        if (volume.ephemeral() != null) found.add("ephemeral");
        if (volume.cloudInitNoCloud() != null) found.add("cloudInitNoCloud");
        if (volume.cloudInitConfigDrive() != null) found.add("cloudInitConfigDrive");
        if (volume.configMap() != null) found.add("configMap");
        if (volume.secret() != null) found.add("secret");
        if (volume.serviceAccount() != null) found.add("serviceAccount");
        if (volume.downwardAPI() != null) found.add("downwardAPI");
        return found;
    }
}

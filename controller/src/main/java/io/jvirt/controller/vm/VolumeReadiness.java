package io.jvirt.controller.vm;

import java.util.List;
import java.util.Optional;

/**
 * Whether a VM's volumes let its VMI start, and if not what {@code printableStatus} says (KubeVirt's values): a
 * DataVolume that Failed → {@code DataVolumeError}; one whose claim waits for binding → {@code WaitingForVolumeBinding}
 * (one waiting for its first consumer lets the VMI start: its pod is that consumer); one still being filled → {@code Provisioning}; a claim that does not exist →
 * {@code ErrorPvcNotFound}. Pure; the first blocking volume in spec order wins, an error before a wait.
 */
public final class VolumeReadiness {
    public static final String DATA_VOLUME_ERROR = "DataVolumeError";
    public static final String WAITING_FOR_VOLUME_BINDING = "WaitingForVolumeBinding";
    public static final String ERROR_PVC_NOT_FOUND = "ErrorPvcNotFound";

    /** One volume of the template: a DataVolume (its phase, null if it does not exist yet) or a plain claim. */
    public record Volume(String name, boolean dataVolume, String phase, String message) {}

    /** Why the VMI waits: the printableStatus and a message naming the volume. */
    public record Wait(String printableStatus, String message) {}

    private VolumeReadiness() {}

    public static Optional<Wait> of(List<Volume> volumes) {
        Wait wait = null;
        for (Volume v : volumes) {
            if (v.dataVolume()) {
                String phase = v.phase() == null ? "" : v.phase();
                switch (phase) {
                    // WaitForFirstConsumer: the VMI's pod is the consumer; the scheduler holds it until the volume is filled
                    case "Succeeded", "WaitForFirstConsumer" -> { }
                    case "Failed" -> {
                        return Optional.of(new Wait(DATA_VOLUME_ERROR, "DataVolume " + v.name() + " failed" + (v.message() == null ? "" : ": " + v.message())));
                    }
                    case "Pending", "" -> {
                        if (wait == null) wait = new Wait(phase.equals("Pending") ? WAITING_FOR_VOLUME_BINDING
                                : PrintableStatus.PROVISIONING, "DataVolume " + v.name() + " is " + (phase.isEmpty() ? "being created" : phase));
                    }
                    default -> {
                        if (wait == null) wait = new Wait(PrintableStatus.PROVISIONING, "DataVolume " + v.name() + " is " + phase);
                    }
                }
            } else if (v.phase() == null) {
                return Optional.of(new Wait(ERROR_PVC_NOT_FOUND, "PersistentVolumeClaim " + v.name() + " not found"));
            }
        }
        return Optional.ofNullable(wait);
    }
}

package io.jvirt.apiserver.admission;

import io.jvirt.apiserver.http.Cause;
import java.util.List;

/**
 * Accepts or denies a write after schema validation, without changing it. Thread-safe. The
 * {@link #name()} is the webhook name used in denial messages ("admission webhook ... denied the request").
 */
public interface ValidatingAdmitter {
    String name();

    boolean handles(AdmissionRequest request);

    /** The reasons to deny; empty = allowed. */
    List<Cause> validate(AdmissionRequest request);
}

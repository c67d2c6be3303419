package io.jvirt.apiserver.admission;

/** Sets defaults on a write before schema validation. Must be idempotent and thread-safe. */
public interface MutatingAdmitter {
    /** Whether this admitter looks at the request at all. */
    boolean handles(AdmissionRequest request);

    /** Mutates {@code request.object()} in place. */
    void mutate(AdmissionRequest request);
}

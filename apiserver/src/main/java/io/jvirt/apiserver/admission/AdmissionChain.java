package io.jvirt.apiserver.admission;

import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The in-process admission chain: all mutating admitters in registration order, then (after the
 * server's schema validation) all validating admitters. A denial becomes 422 Invalid with the
 * admitter's causes, worded like kube-apiserver wraps a webhook denial. Thread-safe.
 */
public final class AdmissionChain {
    private final List<MutatingAdmitter> mutating = new CopyOnWriteArrayList<>();
    private final List<ValidatingAdmitter> validating = new CopyOnWriteArrayList<>();

    public AdmissionChain addMutating(MutatingAdmitter a) {
        mutating.add(a);
        return this;
    }

    public AdmissionChain addValidating(ValidatingAdmitter a) {
        validating.add(a);
        return this;
    }

    public void mutate(AdmissionRequest request) {
        for (MutatingAdmitter a : mutating) if (a.handles(request)) a.mutate(request);
    }

    /** @throws ApiException 422 on the first admitter that denies */
    public void validate(AdmissionRequest request) {
        for (ValidatingAdmitter a : validating) {
            if (!a.handles(request)) continue;
            List<Cause> causes = a.validate(request);
            if (causes.isEmpty()) continue;
            String joined = String.join(", ", causes.stream().limit(10).map(Cause::message).toList());
            if (causes.size() > 10) joined += ", and " + (causes.size() - 10) + " more validation errors";
            // like kube-apiserver relaying a webhook's Status: the webhook's details (causes only, no name or kind)
            throw new ApiException(422, "Invalid", "admission webhook \"" + a.name() + "\" denied the request: " + joined,
                    null, null, null, causes.stream().limit(10).toList());
        }
    }
}
